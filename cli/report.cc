#include <ostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace vaglio::cli {

int ReportInvalid(const Context& ctx, const engine::Diagnostics& diag, const std::string& what) {
  ctx.err << diag.Format();
  size_t errors = 0;
  for (const auto& d : diag.items()) errors += d.warning ? 0 : 1;
  ctx.err << "vaglio: error: " << errors << (errors == 1 ? " problem" : " problems") << " in "
          << what << "; nothing was run\n";
  return kExitInvalid;
}

}  // namespace vaglio::cli
