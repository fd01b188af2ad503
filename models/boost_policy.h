#ifndef VAGLIO_MODELS_BOOST_POLICY_H_
#define VAGLIO_MODELS_BOOST_POLICY_H_

#include <boost/math/policies/policy.hpp>

namespace vaglio::models {

/// The one Boost.Math policy of the project: compute in double without promotion to long
/// double (so results do not depend on the platform's long double), throw on domain and
/// overflow errors (they are bugs or bad input, never a silent NaN), flush underflow to 0.
using BoostPolicy = boost::math::policies::policy<
    boost::math::policies::promote_float<false>, boost::math::policies::promote_double<false>,
    boost::math::policies::domain_error<boost::math::policies::throw_on_error>,
    boost::math::policies::overflow_error<boost::math::policies::throw_on_error>,
    boost::math::policies::underflow_error<boost::math::policies::ignore_error>>;

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_BOOST_POLICY_H_
