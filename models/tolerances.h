#ifndef VAGLIO_MODELS_TOLERANCES_H_
#define VAGLIO_MODELS_TOLERANCES_H_

/// Every numerical tolerance of the maths layer, with the reason for its size.
namespace vaglio::models {

/// How far a transition row may sum away from 1, and how far an explicit probability may
/// stray outside [0, 1], before it is an input error. Rows built from decimal inputs
/// (0.15 + 0.05 + 0.8) carry round-off of a few 1e-16; 1e-9 leaves room for that and
/// still rejects any real modelling mistake (a row summing to 0.9999 is an error).
inline constexpr double kStochasticRowTol = 1e-9;

/// Same, for the branch probabilities at a chance node of a decision tree.
inline constexpr double kChanceNodeTol = 1e-9;

/// Same, for the proportions of an `initial` block that is meant to sum to 1.
inline constexpr double kInitialSumTol = 1e-9;

/// A table key within this (relative) distance of a listed key counts as that key for
/// `lookup: exact`; keys come from arithmetic on ages and cycles (60 + 1.0).
inline constexpr double kTableKeyTol = 1e-9;

/// How far an inner survival curve may rise above the next one before the curves count
/// as crossing: curves equal in theory differ by a few ulps in floating point.
inline constexpr double kCurveCrossingTol = 1e-12;

/// Allowance when flooring times to whole years (`step: year`) and counting the points of
/// a WTP grid: 12 * (1/12) computed in floating point may fall just short of 1.
inline constexpr double kWholeNumberTol = 1e-9;

/// How far a hand-typed correlation matrix may be from symmetric, or its diagonal from 1
/// (absolute), and a covariance from its declared sd (relative): values copied from a
/// paper carry 6 to 10 digits.
inline constexpr double kMatrixTol = 1e-9;

/// Ridge added to the EVPPI regression's normal equations, relative to their largest
/// diagonal entry, so that nearly collinear basis columns stay solvable; far below any
/// penalty chosen by cross-validation.
inline constexpr double kRegressionRidge = 1e-10;

/// Below this |Q| the generalized gamma (Prentice's parameterisation, models/survival.h) is
/// evaluated by the first two terms of Temme's uniform expansion of the incomplete gamma
/// function (whose leading term is the log-normal, exact at Q = 0) instead of as the
/// incomplete gamma function with shape Q^-2. Measured against an accurate integral of the
/// density: the incomplete-gamma route loses about 4e-17 / |Q| (the rounding of
/// u = Q^-2 exp(Q w)), slows down as 1 / |Q| (0.4 ms a call at 1e-5) and fails in Boost.Math
/// for shape > ~1e11 (|Q| < 3e-6); the expansion is off by about 1.6e-13 (|Q| / 0.01)^5.
/// At 5e-3 both are within 1e-14. Gamma curves with shape > kGenGammaSmallQ^-2 take the same
/// route (a gamma is the generalized gamma with Q = sigma).
inline constexpr double kGenGammaSmallQ = 5e-3;

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_TOLERANCES_H_
