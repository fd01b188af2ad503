#include "engine/load/model_loader.h"

#include <algorithm>
#include <cctype>

#include "engine/load/csv.h"
#include "engine/load/yaml_proto.h"
#include "model.pb.h"
#include "models/number.h"
#include "models/sampler.h"
#include "models/text.h"

namespace vaglio::engine {
namespace {

namespace sc = vaglio::schemas;
using models::FormatNumber;

constexpr char kFormat[] = "vaglio.model/1";

class SpecBuilder {
 public:
  SpecBuilder(const FileSystem& fs, LoadedModel* out, Diagnostics* diag)
      : fs_(fs), out_(out), diag_(diag) {}

  void Build(const sc::Model& m) {
    models::ModelSpec& s = out_->spec;
    CheckFormat(m.format());
    s.id = m.id();
    if (m.id().empty() && out_->map.Has("id")) Error("id", "is empty, but must name the model");
    s.title = m.title();
    s.currency = m.currency();
    switch (m.method()) {
      case sc::METHOD_MARKOV_COHORT:
        s.method = models::Method::kMarkovCohort;
        break;
      case sc::METHOD_DECISION_TREE:
        s.method = models::Method::kDecisionTree;
        break;
      case sc::METHOD_PARTITIONED_SURVIVAL:
        s.method = models::Method::kPartitionedSurvival;
        break;
      default:
        break;  // missing: reported by the converter
    }
    const bool cohort = s.method != models::Method::kDecisionTree;
    if (m.has_cycle()) {
      if (!m.cycle().has_length()) Missing("cycle.length");
      s.cycle_length = m.cycle().length();
      if (m.cycle().unit() == sc::TIME_UNIT_UNSPECIFIED) Missing("cycle.unit");
      s.cycle_unit = Unit(m.cycle().unit());
      if (m.cycle().has_length() && !(m.cycle().length() > 0)) {
        Error("cycle.length", "found '" + FormatNumber(m.cycle().length()) + "', but must be > 0");
      }
    } else if (cohort) {
      Missing("cycle");
    }
    if (m.has_horizon()) {
      s.horizon = m.horizon();
      if (m.horizon() < 1) Error("horizon", "found '" + std::to_string(m.horizon()) + "', but must be at least 1 cycle");
      if (m.horizon() > models::kMaxHorizon) {
        Error("horizon", "found '" + std::to_string(m.horizon()) + "', but must be at most " +
                             std::to_string(models::kMaxHorizon) + " cycles");
      }
    } else if (cohort) {
      Missing("horizon");
    }
    if (m.counting() != sc::COUNTING_UNSPECIFIED) {
      s.counting = static_cast<models::Counting>(m.counting() - 1);
    } else if (cohort) {
      Missing("counting");
    }
    bool any_discount = false;
    for (const sc::Value& v : m.values()) any_discount |= v.discount() > 0;
    if (m.discounting().timing() != sc::TIMING_UNSPECIFIED) {
      s.discount_timing = m.discounting().timing() == sc::TIMING_START ? models::DiscountTiming::kStart
                                                                        : models::DiscountTiming::kEnd;
    } else if (any_discount && cohort) {
      Missing(m.has_discounting() ? "discounting.timing" : "discounting",
              "is missing, but is required when a value is discounted (timing: start or end)");
    }
    s.discount_step = m.discounting().step() == sc::STEP_YEAR ? models::DiscountStep::kYear
                                                              : models::DiscountStep::kCycle;

    for (const sc::Value& v : m.values()) {
      models::ValueSpec vs;
      vs.name = v.name();
      vs.path = JoinPath("values", v.name());
      vs.role = v.role() == sc::ROLE_COST     ? models::ValueRole::kCost
                : v.role() == sc::ROLE_EFFECT ? models::ValueRole::kEffect
                                              : models::ValueRole::kNone;
      if (!v.has_discount() && vs.role != models::ValueRole::kNone && cohort) {
        Missing(vs.path + ".discount",
                "is missing, but is required for a value with role " +
                    std::string(models::ToString(vs.role)) + " (write discount: 0 for none)");
      }
      vs.discount_rate = v.discount();
      vs.per = v.per() == sc::PER_YEAR ? models::ValuePer::kYear : models::ValuePer::kCycle;
      vs.allow_negative = v.allow_negative();
      vs.label = v.label();
      vs.unit = v.unit();
      s.values.push_back(vs);
    }
    for (const sc::Parameter& p : m.parameters()) s.parameters.push_back(Param(p));
    for (int i = 0; i < m.correlations_size(); ++i) {
      const sc::Correlation& c = m.correlations(i);
      models::CorrelationSpec cs;
      cs.path = IndexPath("correlations", static_cast<size_t>(i));
      cs.params.assign(c.params().begin(), c.params().end());
      if (c.matrix_size() > 0 && c.covariance_size() > 0) {
        Error(cs.path, "gives both matrix and covariance, but must give one of them");
      } else if (c.matrix_size() == 0 && c.covariance_size() == 0) {
        Error(cs.path, "gives neither matrix nor covariance, but must give one of them");
      }
      cs.covariance = c.covariance_size() > 0;
      for (const sc::Row& r : cs.covariance ? c.covariance() : c.matrix()) {
        cs.matrix.emplace_back(r.values().begin(), r.values().end());
      }
      s.correlations.push_back(std::move(cs));
    }
    for (int i = 0; i < m.dirichlet_size(); ++i) {
      const sc::DirichletGroup& d = m.dirichlet(i);
      models::DirichletSpec ds;
      ds.path = IndexPath("dirichlet", static_cast<size_t>(i));
      ds.params.assign(d.params().begin(), d.params().end());
      ds.counts.assign(d.counts().begin(), d.counts().end());
      s.dirichlet.push_back(std::move(ds));
    }
    for (const sc::Table& t : m.tables()) {
      if (auto ts = TableSpec(t)) s.tables.push_back(std::move(*ts));
    }
    for (const sc::State& st : m.states()) s.states.push_back(State(st, "states"));
    for (const sc::TransitionRow& r : m.transitions()) s.transitions.push_back(Row(r, "transitions", false));
    for (const sc::TransitionRow& r : m.rates()) s.transitions.push_back(Row(r, "rates", true));
    CheckRowsOnce(m.transitions(), m.rates(), "");
    s.initial = Named(m.initial(), "initial");
    s.start = Named(m.start(), "start");
    for (const sc::ValueBlock& b : m.on_enter()) s.flows.push_back(Flow(b, "on_enter", false));
    for (const sc::ValueBlock& b : m.on_transition()) s.flows.push_back(Flow(b, "on_transition", true));
    for (const char* key : {"survival", "partition", "crossing", "background"}) {
      if (s.method != models::Method::kPartitionedSurvival && out_->map.Has(key)) {
        Error(key, "is only used by a partitioned survival model, but the method is " +
                       std::string(models::ToString(s.method)));
      }
    }
    if (s.method == models::Method::kDecisionTree) {
      BuildTree(m);
    } else {
      for (const sc::Strategy& st : m.strategies()) s.strategies.push_back(Strategy(st));
      if (s.method == models::Method::kPartitionedSurvival) {
        BuildSurvival(m);
      } else {
        for (const sc::Strategy& st : m.strategies()) {
          const std::string key = JoinPath(JoinPath("strategies", st.name()), "survival");
          if (out_->map.Has(key)) Error(key, "is only used by a partitioned survival model");
        }
      }
      for (const char* key : {"tree", "subtrees", "decision_wtp"}) {
        if (out_->map.Has(key)) Error(key, "is only used by a decision tree, but the method is " +
                                               std::string(models::ToString(s.method)));
      }
    }
  }

  // Markov models referenced by the terminals of a tree ("FILE#strategy"), as written.
  std::vector<std::pair<std::string, std::string>> markov_refs;  // (reference, path)

 private:
  // Reports a problem, unless one was already reported at `path` or above it (a key
  // whose value had the wrong type is not "missing" or "empty" as well).
  void Error(const std::string& path, std::string msg) {
    if (diag_->HasErrorAtOrAbove(out_->file, path)) return;
    diag_->Error(out_->file, out_->map.Find(path), path, std::move(msg));
  }
  // A key the file does not give. (A key given with a bad value was reported already.)
  void Missing(const std::string& path, std::string msg = "is missing, but is required") {
    if (!out_->map.Has(path)) Error(path, std::move(msg));
  }
  // The path of `key` under `parent` when the file wrote it, else `parent` (scalar forms).
  std::string Child(const std::string& parent, const std::string& key) const {
    const std::string p = JoinPath(parent, key);
    return out_->map.Has(p) ? p : parent;
  }

  void CheckFormat(const std::string& format) {
    if (format.empty() || format == kFormat) return;
    const size_t slash = format.find('/');
    if (format.rfind("vaglio.", 0) == 0 && format.substr(0, slash) != "vaglio.model") {
      Error("format", "found '" + format + "', but a model file (format: " + kFormat + ") is expected here");
    } else {
      Error("format", "found '" + format + "', but this version of Vaglio reads " + kFormat);
    }
  }

  static models::TimeUnit Unit(sc::TimeUnit u) {
    switch (u) {
      case sc::TIME_UNIT_MONTH:
        return models::TimeUnit::kMonth;
      case sc::TIME_UNIT_WEEK:
        return models::TimeUnit::kWeek;
      case sc::TIME_UNIT_DAY:
        return models::TimeUnit::kDay;
      default:
        return models::TimeUnit::kYear;
    }
  }

  models::Expr E(const std::string& text, const std::string& path) const { return {text, path}; }

  models::ParameterSpec Param(const sc::Parameter& p) {
    models::ParameterSpec ps;
    ps.name = p.name();
    ps.path = JoinPath("parameters", p.name());
    if (!p.value().empty()) ps.value = E(p.value(), Child(ps.path, "value"));
    ps.label = p.label();
    ps.source = p.source();
    ps.unit = p.unit();
    if (p.has_low()) ps.low = p.low();
    if (p.has_high()) ps.high = p.high();
    if (p.has_dist()) ps.dist = Dist(p.dist(), JoinPath(ps.path, "dist"));
    return ps;
  }

  models::DistributionInput Dist(const sc::Distribution& d, const std::string& path) {
    models::DistributionInput in;
    auto opt = [](bool has, double v) { return has ? std::optional<double>(v) : std::nullopt; };
    switch (d.family_case()) {
      case sc::Distribution::kBeta:
        in.family = models::DistFamily::kBeta;
        in.path = JoinPath(path, "beta");
        in.alpha = opt(d.beta().has_alpha(), d.beta().alpha());
        in.beta = opt(d.beta().has_beta(), d.beta().beta());
        in.mean = opt(d.beta().has_mean(), d.beta().mean());
        in.se = opt(d.beta().has_se(), d.beta().se());
        in.sd = opt(d.beta().has_sd(), d.beta().sd());
        break;
      case sc::Distribution::kGamma:
        in.family = models::DistFamily::kGamma;
        in.path = JoinPath(path, "gamma");
        in.shape = opt(d.gamma().has_shape(), d.gamma().shape());
        in.scale = opt(d.gamma().has_scale(), d.gamma().scale());
        in.rate = opt(d.gamma().has_rate(), d.gamma().rate());
        in.mean = opt(d.gamma().has_mean(), d.gamma().mean());
        in.se = opt(d.gamma().has_se(), d.gamma().se());
        in.sd = opt(d.gamma().has_sd(), d.gamma().sd());
        break;
      case sc::Distribution::kLognormal: {
        const sc::LogNormal& l = d.lognormal();
        in.family = models::DistFamily::kLogNormal;
        in.path = JoinPath(path, "lognormal");
        in.meanlog = opt(l.has_meanlog(), l.meanlog());
        in.sdlog = opt(l.has_sdlog(), l.sdlog());
        in.mean = opt(l.has_mean(), l.mean());
        in.se = opt(l.has_se(), l.se());
        in.sd = opt(l.has_sd(), l.sd());
        in.median = opt(l.has_median(), l.median());
        if (l.ci95_size() == 2) {
          in.ci95 = std::make_pair(l.ci95(0), l.ci95(1));
        } else if (l.ci95_size() != 0) {
          Error(JoinPath(in.path, "ci95"), "has " + std::to_string(l.ci95_size()) +
                                               " numbers, but must be [low, high]");
        }
        break;
      }
      case sc::Distribution::kNormal:
        in.family = models::DistFamily::kNormal;
        in.path = JoinPath(path, "normal");
        in.mean = opt(d.normal().has_mean(), d.normal().mean());
        in.sd = opt(d.normal().has_sd(), d.normal().sd());
        in.se = opt(d.normal().has_se(), d.normal().se());
        break;
      case sc::Distribution::kUniform:
        in.family = models::DistFamily::kUniform;
        in.path = JoinPath(path, "uniform");
        in.min = opt(d.uniform().has_min(), d.uniform().min());
        in.max = opt(d.uniform().has_max(), d.uniform().max());
        break;
      case sc::Distribution::kTriangular:
      case sc::Distribution::kPert: {
        const bool tri = d.family_case() == sc::Distribution::kTriangular;
        const sc::MinModeMax& t = tri ? d.triangular() : d.pert();
        in.family = tri ? models::DistFamily::kTriangular : models::DistFamily::kPert;
        in.path = JoinPath(path, tri ? "triangular" : "pert");
        in.min = opt(t.has_min(), t.min());
        in.mode = opt(t.has_mode(), t.mode());
        in.max = opt(t.has_max(), t.max());
        break;
      }
      case sc::Distribution::kFixed:
        in.family = models::DistFamily::kFixed;
        in.path = path;
        break;
      case sc::Distribution::FAMILY_NOT_SET:
        in.family = models::DistFamily::kFixed;
        in.path = path;
        Error(path, "names no distribution, but must be one of 'beta', 'gamma', 'lognormal', "
                    "'normal', 'uniform', 'triangular', 'pert', 'fixed'");
        break;
    }
    return in;
  }

  std::optional<models::LookupTable::Spec> TableSpec(const sc::Table& t) {
    models::LookupTable::Spec ts;
    ts.name = t.name();
    ts.path = JoinPath("tables", t.name());
    switch (t.lookup()) {
      case sc::LOOKUP_FLOOR:
        ts.lookup = models::Lookup::kFloor;
        break;
      case sc::LOOKUP_LINEAR:
        ts.lookup = models::Lookup::kLinear;
        break;
      default:
        ts.lookup = models::Lookup::kExact;
    }
    std::vector<std::string> columns;
    std::vector<std::vector<double>> rows;
    std::vector<int> csv_lines;  // for a CSV table, the line of each row
    std::string csv_file;
    const size_t errors_before = diag_->size();
    if (!t.file().empty()) {
      if (t.rows_size() > 0 || t.columns_size() > 0) {
        Error(ts.path, "gives both file and rows/columns, but must give one of them");
        return std::nullopt;
      }
      const std::string path = ResolveRelative(out_->file, t.file());
      std::string err;
      auto bytes = fs_.Read(path, &err);
      if (!bytes) {
        Error(Child(ts.path, "file"), "cannot read '" + path + "': " + err);
        return std::nullopt;
      }
      out_->inputs.push_back({path, *bytes});
      CsvTable csv = ParseCsv(*bytes, path, diag_);
      columns = csv.header;
      csv_lines = csv.row_lines;
      csv_file = path;
      for (size_t r = 0; r < csv.rows.size(); ++r) {
        std::vector<double> row;
        for (size_t c = 0; c < csv.rows[r].size(); ++c) {
          auto v = models::ParseNumber(csv.rows[r][c]);
          if (!v) {
            diag_->Error(path, {csv.row_lines[r], csv.cell_columns[r][c], 0}, "column '" + csv.header[c] + "'",
                         "found '" + csv.rows[r][c] + "', but must be a number");
            row.push_back(0);
          } else {
            row.push_back(*v);
          }
        }
        rows.push_back(std::move(row));
      }
    } else {
      columns.assign(t.columns().begin(), t.columns().end());
      if (columns.size() < 2) {
        Error(Child(ts.path, "columns"), "names " + std::to_string(columns.size()) +
                                             " columns, but a table needs a key column and at least one value column");
        return std::nullopt;
      }
      for (int r = 0; r < t.rows_size(); ++r) {
        const sc::Row& row = t.rows(r);
        if (static_cast<size_t>(row.values_size()) != columns.size()) {
          Error(IndexPath(JoinPath(ts.path, "rows"), static_cast<size_t>(r)),
                "has " + std::to_string(row.values_size()) + " numbers, but the table has " +
                    std::to_string(columns.size()) + " columns");
          continue;
        }
        rows.emplace_back(row.values().begin(), row.values().end());
      }
    }
    if (diag_->size() != errors_before) return std::nullopt;
    ts.key_column = t.key().empty() ? (columns.empty() ? "" : columns[0]) : t.key();
    auto key_it = std::find(columns.begin(), columns.end(), ts.key_column);
    if (key_it == columns.end()) {
      Error(Child(ts.path, "key"), "'" + ts.key_column + "' is not a column of the table" +
                                       models::DidYouMeanSuffix(ts.key_column, columns));
      return std::nullopt;
    }
    const size_t key = static_cast<size_t>(key_it - columns.begin());
    if (!csv_lines.empty()) {
      // Keys out of order in a CSV file are reported where they are, in that file.
      for (size_t r = 1; r < rows.size(); ++r) {
        if (!(rows[r][key] > rows[r - 1][key])) {
          diag_->Error(csv_file, {csv_lines[r], 1, 0}, "column '" + columns[key] + "'",
                       "found " + FormatNumber(rows[r][key]) + " after " + FormatNumber(rows[r - 1][key]) +
                           ", but keys must be strictly increasing");
          return std::nullopt;
        }
      }
    }
    for (size_t c = 0; c < columns.size(); ++c) {
      if (c == key) continue;
      ts.value_columns.push_back(columns[c]);
      ts.columns.emplace_back();
      for (const auto& row : rows) ts.columns.back().push_back(row[c]);
    }
    for (const auto& row : rows) ts.keys.push_back(row[key]);
    return ts;
  }

  std::vector<models::NamedExpr> Named(const google::protobuf::RepeatedPtrField<sc::NamedExpr>& list,
                                       const std::string& parent) {
    std::vector<models::NamedExpr> out;
    for (const sc::NamedExpr& n : list) {
      const std::string p = JoinPath(parent, n.name());
      if (n.expr().empty()) {
        Error(p, "is empty, but must be a number or a formula");
        continue;
      }
      out.push_back({n.name(), E(n.expr(), Child(p, "expr"))});
    }
    return out;
  }

  models::StateSpec State(const sc::State& st, const std::string& parent) {
    models::StateSpec s;
    s.name = st.name();
    s.label = st.label();
    s.path = JoinPath(parent, st.name());
    s.tunnel = st.has_tunnel() ? st.tunnel() : 0;
    if (st.has_tunnel() && st.tunnel() < 1) {
      Error(JoinPath(s.path, "tunnel"), "found '" + std::to_string(st.tunnel()) + "', but must be at least 1");
    }
    s.values = Named(st.values(), s.path);
    return s;
  }

  models::TransitionRowSpec Row(const sc::TransitionRow& r, const std::string& parent, bool rates) {
    models::TransitionRowSpec row;
    row.from = r.from();
    row.rates = rates;
    row.path = JoinPath(parent, r.from());
    row.cells = Named(r.to(), row.path);
    return row;
  }

  void CheckRowsOnce(const google::protobuf::RepeatedPtrField<sc::TransitionRow>& probs,
                     const google::protobuf::RepeatedPtrField<sc::TransitionRow>& rates,
                     const std::string& prefix) {
    for (const sc::TransitionRow& r : rates) {
      for (const sc::TransitionRow& p : probs) {
        if (p.from() == r.from()) {
          Error(JoinPath(JoinPath(prefix, "rates"), r.from()),
                "state '" + r.from() + "' has a row in both transitions and rates, but may have only one");
        }
      }
    }
  }

  models::FlowValueSpec Flow(const sc::ValueBlock& b, const std::string& parent, bool transition) {
    models::FlowValueSpec f;
    f.path = JoinPath(parent, b.state());
    if (transition) {
      const size_t arrow = b.state().find("->");
      if (arrow == std::string::npos) {
        Error(f.path, "key '" + b.state() + "' must name a transition as from->to");
      } else {
        f.from = std::string(models::Trim(b.state().substr(0, arrow)));
        f.to = std::string(models::Trim(b.state().substr(arrow + 2)));
      }
    } else {
      f.to = b.state();
    }
    f.values = Named(b.values(), f.path);
    return f;
  }

  models::StrategySpec Strategy(const sc::Strategy& st) {
    models::StrategySpec s;
    s.name = st.name();
    s.label = st.label();
    s.path = JoinPath("strategies", st.name());
    s.start = Named(st.start(), JoinPath(s.path, "start"));
    s.parameters = Named(st.parameters(), JoinPath(s.path, "parameters"));
    for (const sc::State& x : st.states()) s.states.push_back(State(x, JoinPath(s.path, "states")));
    for (const sc::TransitionRow& r : st.transitions()) {
      s.transitions.push_back(Row(r, JoinPath(s.path, "transitions"), false));
    }
    for (const sc::TransitionRow& r : st.rates()) s.transitions.push_back(Row(r, JoinPath(s.path, "rates"), true));
    CheckRowsOnce(st.transitions(), st.rates(), s.path);
    for (const sc::ValueBlock& b : st.on_enter()) s.flows.push_back(Flow(b, JoinPath(s.path, "on_enter"), false));
    for (const sc::ValueBlock& b : st.on_transition()) {
      s.flows.push_back(Flow(b, JoinPath(s.path, "on_transition"), true));
    }
    s.initial = Named(st.initial(), JoinPath(s.path, "initial"));
    return s;
  }

  models::CurveSpec Curve(const sc::Curve& c, const std::string& path) {
    models::CurveSpec cs;
    cs.name = c.name();
    cs.label = c.label();
    cs.path = path;
    if (c.family() != sc::SURVIVAL_FAMILY_UNSPECIFIED) {
      std::string name = sc::SurvivalFamily_Name(c.family()).substr(std::string("SURVIVAL_FAMILY_").size());
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      cs.family = name;
    }
    const std::pair<const char*, const std::string*> named[] = {
        {"rate", &c.rate()},   {"shape", &c.shape()}, {"scale", &c.scale()}, {"meanlog", &c.meanlog()},
        {"sdlog", &c.sdlog()}, {"mu", &c.mu()},       {"sigma", &c.sigma()}, {"q", &c.q()}};
    for (const auto& [key, value] : named) {
      // The file says `q` (keys are lower case); the generalized gamma calls it Q.
      const std::string name = std::string(key) == "q" ? "Q" : key;
      if (!value->empty()) cs.params.push_back({name, E(*value, JoinPath(path, key))});
    }
    cs.times.assign(c.times().begin(), c.times().end());
    for (int i = 0; i < c.rates_size(); ++i) cs.rates.push_back(E(c.rates(i), IndexPath(JoinPath(path, "rates"), static_cast<size_t>(i))));
    cs.table = c.table();
    if (!c.hr().empty()) cs.hr = E(c.hr(), JoinPath(path, "hr"));
    if (!c.af().empty()) cs.af = E(c.af(), JoinPath(path, "af"));
    if (c.time_unit() != sc::TIME_UNIT_UNSPECIFIED) cs.time_unit = Unit(c.time_unit());
    return cs;
  }

  void BuildSurvival(const sc::Model& m) {
    models::ModelSpec& s = out_->spec;
    for (const sc::Curve& c : m.survival()) s.curves.push_back(Curve(c, JoinPath("survival", c.name())));
    if (m.survival_size() == 0) Missing("survival", "is missing, but a partitioned survival model needs its curves");
    s.partition.assign(m.partition().begin(), m.partition().end());
    if (m.crossing() == sc::CROSSING_UNSPECIFIED) {
      Missing("crossing", "is missing, but a partitioned survival model must declare what happens when its curves "
                          "cross (clamp or error)");
    }
    s.crossing = m.crossing() == sc::CROSSING_ERROR ? models::CrossingPolicy::kError : models::CrossingPolicy::kClamp;
    if (m.has_background() && !m.background().mortality().empty()) {
      s.background = E(m.background().mortality(), Child("background", "mortality"));
    }
    for (const char* key : {"transitions", "rates", "on_enter", "on_transition"}) {
      if (out_->map.Has(key)) Error(key, "is not used by a partitioned survival model: its curves give the states");
    }
    for (const sc::Strategy& st : m.strategies()) {
      const std::string path = JoinPath("strategies", st.name());
      for (models::StrategySpec& target : s.strategies) {
        if (target.name != st.name()) continue;
        for (const sc::Curve& c : st.survival()) {
          target.curves.push_back(Curve(c, JoinPath(JoinPath(path, "survival"), c.name())));
        }
      }
    }
  }

  models::TreeNodeSpec Branch(const sc::TreeBranch& b, const std::string& path) {
    models::TreeNodeSpec n;
    n.name = b.name();
    n.label = b.label();
    n.path = path;
    if (!b.p().empty()) n.p = E(b.p(), Child(path, "p"));
    switch (b.type()) {
      case sc::NODE_TYPE_DECISION:
        n.type = models::NodeType::kDecision;
        break;
      case sc::NODE_TYPE_CHANCE:
        n.type = models::NodeType::kChance;
        break;
      case sc::NODE_TYPE_TERMINAL:
        n.type = models::NodeType::kTerminal;
        break;
      default:
        break;
    }
    n.values = Named(b.values(), path);
    for (const sc::TreeBranch& c : b.branches()) n.branches.push_back(Branch(c, JoinPath(JoinPath(path, "branches"), c.name())));
    n.next = b.next();
    n.markov = b.markov();
    n.bind = Named(b.bind(), JoinPath(path, "bind"));
    if (!n.markov.empty()) markov_refs.push_back({n.markov, Child(path, "markov")});
    return n;
  }

  void BuildTree(const sc::Model& m) {
    models::ModelSpec& s = out_->spec;
    if (!m.has_tree()) Missing("tree", "is missing, but a decision tree needs one (its branches are the strategies)");
    for (const sc::TreeBranch& b : m.tree().branches()) {
      s.tree.push_back(Branch(b, JoinPath("tree.branches", b.name())));
      models::StrategySpec st;
      st.name = b.name();
      st.label = b.label();
      st.path = JoinPath("tree.branches", b.name());
      s.strategies.push_back(std::move(st));
    }
    for (const sc::TreeBranch& b : m.subtrees()) s.subtrees.push_back(Branch(b, JoinPath("subtrees", b.name())));
    if (m.has_decision_wtp()) s.decision_wtp = m.decision_wtp();
    // `strategies:` adds parameter overrides to the strategies the root branches define.
    std::vector<std::string> names;
    for (const auto& st : s.strategies) names.push_back(st.name);
    for (const sc::Strategy& st : m.strategies()) {
      auto it = std::find(names.begin(), names.end(), st.name());
      const std::string path = JoinPath("strategies", st.name());
      if (it == names.end()) {
        Error(path, "'" + st.name() + "' is not a branch of the tree's root decision" +
                        models::DidYouMeanSuffix(st.name(), names));
        continue;
      }
      models::StrategySpec& target = s.strategies[static_cast<size_t>(it - names.begin())];
      target.parameters = Named(st.parameters(), JoinPath(path, "parameters"));
      if (out_->map.Has(JoinPath(path, "label"))) {
        Error(JoinPath(path, "label"), "is not used by a decision tree; label the branch of the root decision instead");
      }
      for (const char* key : {"start", "states", "transitions", "rates", "on_enter", "on_transition", "initial",
                              "survival"}) {
        if (out_->map.Has(JoinPath(path, key))) {
          Error(JoinPath(path, key), "is not used by a decision tree; a tree's strategies can only override parameters");
        }
      }
    }
    for (const char* key : {"cycle", "horizon", "counting", "discounting", "states", "transitions", "rates",
                            "initial", "start", "on_enter", "on_transition"}) {
      if (out_->map.Has(key)) Error(key, "is not used by a decision tree");
    }
    for (const models::ValueSpec& v : s.values) {
      if (v.discount_rate > 0) {
        Error(v.path + ".discount", "is " + FormatNumber(v.discount_rate) +
                                        ", but a decision tree accrues its values at time 0 (discount a Markov model "
                                        "at a terminal instead)");
      }
    }
  }

  const FileSystem& fs_;
  LoadedModel* out_;
  Diagnostics* diag_;
};

}  // namespace

void ReportModelIssues(const LoadedModel& loaded, const models::Issues& issues, Diagnostics* diag) {
  models::Issues fresh;
  for (const models::Issue& i : issues) {
    if (!i.model.empty()) {
      // An issue inside the Markov model of a tree's terminal: located in that file.
      const std::string resolved = ResolveRelative(loaded.file, i.model);
      for (const LoadedModel& sub : loaded.submodels) {
        if (sub.file == resolved) {
          models::Issue inner = i;
          inner.model.clear();
          ReportModelIssues(sub, {inner}, diag);
        }
      }
      continue;
    }
    if (!diag->HasErrorAtOrAbove(loaded.file, i.path)) fresh.push_back(i);
  }
  diag->AddIssues(loaded.file, loaded.map, fresh);
}

namespace {

// Files being loaded by the calls in progress: a model referring back to one of them is
// a circular reference.
thread_local std::vector<std::string> loading;

// Checks that every scenario sets parameters of the model, then replaces the model's
// parameters by those of scenario `name` (when given), with their locations.
void ApplyScenario(sc::Model* m, const std::string& name, const std::string& file, SourceMap* map,
                   Diagnostics* diag) {
  std::vector<std::string> names, params;
  for (const sc::Parameter& q : m->parameters()) params.push_back(q.name());
  for (const sc::Scenario& sn : m->scenarios()) {
    for (const sc::Parameter& p : sn.parameters()) {
      if (std::find(params.begin(), params.end(), p.name()) != params.end()) continue;
      const std::string path = JoinPath(JoinPath(JoinPath("scenarios", sn.name()), "parameters"), p.name());
      diag->Error(file, map->Find(path), path, "scenario '" + sn.name() + "' sets '" + p.name() +
                                                   "', which is not a parameter of the model" +
                                                   models::DidYouMeanSuffix(p.name(), params));
    }
  }
  if (name.empty()) return;
  for (const sc::Scenario& sn : m->scenarios()) {
    names.push_back(sn.name());
    if (sn.name() != name) continue;
    for (const sc::Parameter& p : sn.parameters()) {
      for (sc::Parameter& q : *m->mutable_parameters()) {
        if (q.name() != p.name()) continue;
        q = p;
        map->Alias(JoinPath("parameters", p.name()),
                   JoinPath(JoinPath(JoinPath("scenarios", name), "parameters"), p.name()));
      }
    }
    return;
  }
  diag->Error("--scenario", {}, "", "'" + name + "' is not a scenario of " + file +
                                        (names.empty() ? std::string(" (it has none)")
                                                       : models::DidYouMeanSuffix(name, names) + "; its scenarios are " +
                                                             models::QuotedList(names)));
}

}  // namespace

std::optional<LoadedModel> LoadModel(const FileSystem& fs, const std::string& path, Diagnostics* diag,
                                     const LoadOptions& opts) {
  LoadedModel out;
  out.file = path;
  out.scenario = opts.scenario;
  if (std::find(loading.begin(), loading.end(), path) != loading.end()) {
    diag->Error(path, {}, "", "the model refers back to itself through its Markov terminals");
    return std::nullopt;
  }
  loading.push_back(path);
  struct Pop {
    ~Pop() { loading.pop_back(); }
  } pop;
  std::string err;
  auto bytes = fs.Read(path, &err);
  if (!bytes) {
    diag->Error(path, {}, "", "cannot read the model file: " + err);
    return std::nullopt;
  }
  out.inputs.push_back({path, *bytes});
  const size_t before = diag->size();
  auto node = ParseYaml(*bytes, path, diag);
  if (!node) return std::nullopt;
  sc::Model proto;
  YamlToProto(*node, *bytes, path, &proto, &out.map, diag);
  if (!node->IsMap()) return std::nullopt;
  ApplyScenario(&proto, opts.scenario, path, &out.map, diag);
  SpecBuilder builder(fs, &out, diag);
  builder.Build(proto);
  for (models::ValueSpec& v : out.spec.values) {
    if (v.role == models::ValueRole::kCost && opts.discount_costs) v.discount_rate = *opts.discount_costs;
    if (v.role == models::ValueRole::kEffect && opts.discount_outcomes) v.discount_rate = *opts.discount_outcomes;
  }
  // The Markov models of a tree's terminals, each file loaded once.
  std::vector<std::string> submodel_files;  // resolved path of each spec.submodels entry
  for (const auto& [ref, ref_path] : builder.markov_refs) {
    const size_t hash = ref.find('#');
    const std::string file = ref.substr(0, hash);
    const std::string strategy = hash == std::string::npos ? "" : ref.substr(hash + 1);
    if (file.empty() || strategy.empty()) {
      diag->Error(path, out.map.Find(ref_path), ref_path, "found '" + ref + "', but must be FILE#strategy");
      continue;
    }
    bool seen = false;
    for (const models::SubmodelRef& r : out.spec.submodels) seen |= r.reference == ref;
    if (seen) continue;
    const std::string resolved = ResolveRelative(path, file);
    std::shared_ptr<const models::Model> sub;
    for (size_t q = 0; q < out.spec.submodels.size(); ++q) {
      if (submodel_files[q] == resolved) sub = out.spec.submodels[q].model;
    }
    if (!sub) {
      std::string why;
      if (!fs.Read(resolved, &why)) {
        diag->Error(path, out.map.Find(ref_path), ref_path, "cannot read '" + resolved + "': " + why);
        continue;
      }
      auto loaded = LoadModel(fs, resolved, diag);
      if (!loaded) continue;
      if (loaded->spec.method == models::Method::kDecisionTree) {
        diag->Error(path, out.map.Find(ref_path), ref_path,
                    "'" + file + "' is a decision tree, but a terminal can only point to a cohort model");
        continue;
      }
      sub = loaded->model;
      for (InputFile& f : loaded->inputs) out.inputs.push_back(std::move(f));
      out.submodels.push_back(std::move(*loaded));
    }
    out.spec.submodels.push_back({ref, sub, strategy});
    submodel_files.push_back(resolved);
  }
  // Compile even past local key errors (an unknown key, a mistyped scalar), so that the
  // model's own problems are reported in the same run; not when a whole section of the
  // model is broken, which would only produce follow-on errors.
  std::vector<std::string> reported;  // paths with a problem found before compiling
  for (size_t i = before; i < diag->items().size(); ++i) {
    const Diagnostic& d = diag->items()[i];
    if (d.warning) continue;
    if (d.file != path) return std::nullopt;  // a table file: its table is missing
    const std::string top = d.path.substr(0, d.path.find_first_of(".["));
    if (d.path.empty() || top == "tables" ||
        (top == d.path && sc::Model::descriptor()->FindFieldByName(top) != nullptr)) {
      return std::nullopt;
    }
    reported.push_back(d.path);
  }
  auto compiled = models::CompileModel(out.spec);
  if (!compiled.ok()) {
    // A problem inside an item already reported (an unknown key in a distribution makes
    // its arguments incomplete) is the same problem again.
    auto related = [](const std::string& a, const std::string& b) {
      const std::string& shorter = a.size() <= b.size() ? a : b;
      const std::string& longer = a.size() <= b.size() ? b : a;
      return longer.compare(0, shorter.size(), shorter) == 0 &&
             (longer.size() == shorter.size() || longer[shorter.size()] == '.' || longer[shorter.size()] == '[');
    };
    models::Issues fresh;
    for (const models::Issue& i : compiled.status().issues()) {
      if (std::none_of(reported.begin(), reported.end(), [&](const std::string& r) { return related(r, i.path); })) {
        fresh.push_back(i);
      }
    }
    ReportModelIssues(out, fresh, diag);
    return std::nullopt;
  }
  out.model = compiled.value();
  // Correlation and Dirichlet groups are checked here, not only when sampling.
  auto sampler = models::Sampler::Make(out.model->info());
  if (!sampler.ok()) ReportModelIssues(out, sampler.status().issues(), diag);
  if (diag->size() != before) return std::nullopt;
  return out;
}

}  // namespace vaglio::engine
