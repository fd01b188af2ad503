#include <catch2/catch.hpp>

#include "models/table.h"

namespace models = vaglio::models;

namespace {

models::LookupTable Life(models::Lookup lookup) {
  models::LookupTable::Spec s;
  s.name = "life";
  s.key_column = "age";
  s.value_columns = {"female", "male"};
  s.keys = {35, 45, 55};
  s.columns = {{0.001, 0.0026, 0.0067}, {0.0015, 0.0039, 0.0109}};
  s.lookup = lookup;
  auto t = models::LookupTable::Make(s);
  REQUIRE(t.ok());
  return t.value();
}

}  // namespace

TEST_CASE("floor lookup takes the band a key falls in", "[models][table]") {
  models::LookupTable t = Life(models::Lookup::kFloor);
  CHECK(t.At(35, 0) == 0.001);
  CHECK(t.At(44.999, 0) == 0.001);
  CHECK(t.At(45, 1) == 0.0039);
  CHECK(t.At(120, 1) == 0.0109);  // above the last band: the last row
  CHECK_THROWS_WITH(t.At(20, 0), "life: key 20 is below the first key 35");
}

TEST_CASE("exact and linear lookups", "[models][table]") {
  models::LookupTable e = Life(models::Lookup::kExact);
  CHECK(e.At(45, 0) == 0.0026);
  CHECK_THROWS_WITH(e.At(46, 0), "life: key 46 is not in the table (lookup: exact)");
  models::LookupTable l = Life(models::Lookup::kLinear);
  CHECK(l.At(40, 0) == Approx(0.0018).epsilon(1e-12));
  CHECK(l.At(55, 1) == 0.0109);
  CHECK_THROWS_WITH(l.At(56, 0), "life: key 56 is outside [35, 55] (lookup: linear)");
  CHECK_THROWS_WITH(l.At(40, 2), "life: column is 2, but must be a whole number from 0 to 1");
}

TEST_CASE("a table whose keys do not increase is rejected", "[models][table][errors]") {
  models::LookupTable::Spec s;
  s.name = "t";
  s.path = "tables.t";
  s.value_columns = {"v"};
  s.keys = {1, 3, 2};
  s.columns = {{1, 2, 3}};
  auto t = models::LookupTable::Make(s);
  REQUIRE(!t.ok());
  CHECK(t.status().issues()[0].message == "key in row 3 is 2, but keys must be strictly increasing (previous key 3)");
}
