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

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_TOLERANCES_H_
