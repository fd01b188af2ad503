#ifndef VAGLIO_CLI_EXIT_CODES_H_
#define VAGLIO_CLI_EXIT_CODES_H_

namespace vaglio::cli {

/// The documented exit codes (docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;      // a bug: the message asks to report it
inline constexpr int kExitInvalid = 2;       // invalid input or usage; every problem listed
inline constexpr int kExitCheckFailed = 3;   // verify/check found an error

}  // namespace vaglio::cli

#endif  // VAGLIO_CLI_EXIT_CODES_H_
