// Configuration (config/config.hpp): defaults, TOML text, --set overrides, errors naming the
// key at fault, the TOML round trip, and EnvSpec's cross-key checks.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "catalog/measures.hpp"
#include "catalog/tasks.hpp"
#include "config/schema.hpp"
#include "metrics/measure_registry.hpp"
#include "env/env_spec.hpp"
#include "fixtures.hpp"

namespace modspec {
namespace {

using test::contains;
using test::error_message;

TEST(Config, DefaultsHaveSchemaValues) {
  const Config c = Config::defaults();
  EXPECT_EQ(c.integer("model.n"), 25);
  EXPECT_EQ(c.string("env.task"), "parity");
  EXPECT_EQ(c.strings("env.datasets"), (std::vector<std::string>{"mnist", "mnist"}));
  EXPECT_EQ(c.real("env.covariance"), 0.0);
  EXPECT_TRUE(c.boolean("env.asymmetry_fix"));
  EXPECT_TRUE(c.integers("model.comms_steps").empty());
  EXPECT_DOUBLE_EQ(c.real("train.lr"), 1e-3);
}

// Every default must pass its own key's validation, or `modspec config` would print a file
// that modspec refuses to read.
TEST(Config, DefaultsPassValidation) {
  for (const auto& spec : schema()) EXPECT_NO_THROW(validate(spec, spec.default_value)) << spec.key;
}

TEST(Config, EmptyTextGivesDefaults) {
  EXPECT_EQ(Config::from_toml_text("", "empty.toml").to_toml(), Config::defaults().to_toml());
}

TEST(Config, ReadsTomlText) {
  const Config c = Config::from_toml_text(
      "[model]\nn = 40\ncell = \"gru\"\n[env]\ncovariance = 0\nasymmetry_fix = false\n"
      "datasets = [\"mnist\", \"fashion\", \"mnist\"]\n",
      "run.toml");
  EXPECT_EQ(c.integer("model.n"), 40);
  EXPECT_EQ(c.string("model.cell"), "gru");
  EXPECT_EQ(c.real("env.covariance"), 0.0);  // an integer is accepted where a number is expected
  EXPECT_FALSE(c.boolean("env.asymmetry_fix"));
  EXPECT_EQ(c.strings("env.datasets"), (std::vector<std::string>{"mnist", "fashion", "mnist"}));
  EXPECT_EQ(c.integer("train.epochs"), 30);  // untouched keys keep their defaults
}

TEST(Config, UnknownKeyNamesKeyAndSource) {
  const std::string msg = error_message([] { Config::from_toml_text("[model]\nnope = 1\n", "run.toml"); });
  EXPECT_PRED2(contains, msg, "model.nope");
  EXPECT_PRED2(contains, msg, "run.toml");
}

TEST(Config, UnknownTableNamesKey) {
  const std::string msg = error_message([] { Config::from_toml_text("[modle]\nn = 1\n", "run.toml"); });
  EXPECT_PRED2(contains, msg, "modle.n");
}

TEST(Config, WrongTypeNamesKey) {
  const std::string msg = error_message([] { Config::from_toml_text("[model]\nn = \"x\"\n", "run.toml"); });
  EXPECT_PRED2(contains, msg, "model.n");
  EXPECT_PRED2(contains, msg, "integer");
}

TEST(Config, RealWhereIntegerExpectedIsError) {
  const std::string msg = error_message([] { Config::from_toml_text("[model]\nn = 2.5\n", "run.toml"); });
  EXPECT_PRED2(contains, msg, "model.n");
  // A whole-number real beyond int64's range (found by the fuzzer: reading it as an integer was
  // undefined behaviour) is the same error.
  const std::string huge = error_message([] { Config::from_toml_text("[model]\nn = 1e37\n", "run.toml"); });
  EXPECT_PRED2(contains, huge, "model.n");
  EXPECT_PRED2(contains, huge, "integer");
}

TEST(Config, OutOfRangeNamesKey) {
  const std::string msg = error_message([] { Config::from_toml_text("[env]\ncovariance = 2.0\n", "run.toml"); });
  EXPECT_PRED2(contains, msg, "env.covariance");
}

TEST(Config, ValueNotInChoicesNamesKey) {
  const std::string msg = error_message([] { Config::from_toml_text("[env]\ntask = \"product\"\n", "run.toml"); });
  EXPECT_PRED2(contains, msg, "env.task");
  EXPECT_PRED2(contains, msg, "product");
}

TEST(Config, ListElementNotInChoicesNamesKey) {
  const std::string msg =
      error_message([] { Config::from_toml_text("[env]\ndatasets = [\"mnist\", \"cifar\"]\n", "run.toml"); });
  EXPECT_PRED2(contains, msg, "env.datasets");
  EXPECT_PRED2(contains, msg, "cifar");
}

TEST(Config, TomlSyntaxErrorNamesSource) {
  const std::string msg = error_message([] { Config::from_toml_text("[model\nn = 1\n", "broken.toml"); });
  EXPECT_PRED2(contains, msg, "broken.toml");
}

TEST(Config, DirectoryIsNotAConfigFile) {
  test::TempDir dir;
  const std::string msg = test::error_message([&] { Config::from_file(dir.path()); });
  EXPECT_PRED2(contains, msg, dir.path().string());
  EXPECT_PRED2(contains, msg, "is a directory");
}

TEST(Config, MissingFileIsError) {
  const std::string msg = error_message([] { Config::from_file("/nonexistent/modspec/run.toml"); });
  EXPECT_PRED2(contains, msg, "/nonexistent/modspec/run.toml");
}

TEST(Config, SetParsesTomlValues) {
  Config c = Config::defaults();
  c.set("model.n=40");
  EXPECT_EQ(c.integer("model.n"), 40);
  c.set("env.task=sum");  // a bare word is taken as a string
  EXPECT_EQ(c.string("env.task"), "sum");
  c.set("model.cell=\"gru\"");  // so is a quoted TOML string
  EXPECT_EQ(c.string("model.cell"), "gru");
  c.set("env.datasets=[\"mnist\",\"fashion\"]");
  EXPECT_EQ(c.strings("env.datasets"), (std::vector<std::string>{"mnist", "fashion"}));
  c.set("env.asymmetry_fix=false");
  EXPECT_FALSE(c.boolean("env.asymmetry_fix"));
  c.set("env.covariance=1");  // integer text for a real key
  EXPECT_EQ(c.real("env.covariance"), 1.0);
  c.set("model.comms_steps=[1, 3]");
  EXPECT_EQ(c.integers("model.comms_steps"), (std::vector<int64_t>{1, 3}));
}

TEST(Config, SetUnknownKeyIsError) {
  Config c = Config::defaults();
  const std::string msg = error_message([&] { c.set("model.nope=1"); });
  EXPECT_PRED2(contains, msg, "model.nope");
}

TEST(Config, SetWithoutEqualsIsError) {
  Config c = Config::defaults();
  const std::string msg = error_message([&] { c.set("model.n"); });
  EXPECT_PRED2(contains, msg, "model.n");
}

TEST(Config, SetBareWordForNumberIsError) {
  Config c = Config::defaults();
  const std::string msg = error_message([&] { c.set("model.n=many"); });
  EXPECT_PRED2(contains, msg, "model.n");
  EXPECT_EQ(c.integer("model.n"), 25);  // a failed --set leaves the value as it was
}

TEST(Config, SetOutOfRangeIsError) {
  Config c = Config::defaults();
  const std::string msg = error_message([&] { c.set("env.covariance=-0.5"); });
  EXPECT_PRED2(contains, msg, "env.covariance");
  EXPECT_EQ(c.real("env.covariance"), 0.0);
}

TEST(Config, TomlRoundTrip) {
  Config c = Config::defaults();
  // Values whose text form is easy to get wrong: a real with no short decimal form, a whole real,
  // a string needing escapes, lists.
  c.set("train.lr=0.1");
  c.set("train.weight_decay=3.0000000000000004e-07");
  c.set("env.covariance=1.0");
  c.set("env.asymmetry_fix=false");
  c.set("data.emnist_dir=\"/tmp/a \\\"quoted\\\" dir\"");
  c.set("model.comms_steps=[2, 5]");
  c.set("env.datasets=[\"fashion\", \"mnist\", \"mnist\"]");
  for (bool docs : {false, true}) {
    const std::string text = c.to_toml(docs);
    const Config back = Config::from_toml_text(text, "round-trip.toml");
    EXPECT_EQ(back.to_toml(), c.to_toml()) << text;
    EXPECT_EQ(back.real("train.weight_decay"), 3.0000000000000004e-07);
    EXPECT_EQ(back.real("env.covariance"), 1.0);
    EXPECT_EQ(back.string("data.emnist_dir"), "/tmp/a \"quoted\" dir");
  }
}

TEST(Config, ToTomlGroupsKeysInTables) {
  const std::string text = Config::defaults().to_toml();
  EXPECT_PRED2(contains, text, "[model]\n");
  EXPECT_PRED2(contains, text, "\nn = 25\n");
  EXPECT_PRED2(contains, text, "covariance = 0.0\n");
  EXPECT_PRED2(contains, text, "\n[env]\ndatasets = [");  // quoting style is toml++'s choice
}

TEST(EnvSpec, FromDefaults) {
  Config c = Config::defaults();
  const EnvSpec e = EnvSpec::from(c, "/some/data");
  EXPECT_EQ(e.n_stimuli(), 2);
  EXPECT_EQ(e.n_classes, 10);
  EXPECT_EQ(e.task, "parity");
  EXPECT_TRUE(e.asymmetry_fix);
  EXPECT_FALSE(e.dynamic());
  EXPECT_EQ(e.sources.data_dir, "/some/data");  // --data-dir wins over data.dir
}

TEST(EnvSpec, AsymmetryFixWithCovarianceIsError) {
  Config c = Config::defaults();
  c.set("env.covariance=0.5");  // asymmetry_fix is true by default
  const std::string msg = error_message([&] { EnvSpec::from(c, "/some/data"); });
  EXPECT_PRED2(contains, msg, "env.covariance");
  c.set("env.asymmetry_fix=false");
  EXPECT_NO_THROW(EnvSpec::from(c, "/some/data"));
}

TEST(EnvSpec, OneStimulusIsError) {
  Config c = Config::defaults();
  c.set("env.datasets=[\"mnist\"]");
  const std::string msg = error_message([&] { EnvSpec::from(c, "/some/data"); });
  EXPECT_PRED2(contains, msg, "env.datasets");
}

TEST(EnvSpec, RandomStartNeedsThreeSteps) {
  Config c = Config::defaults();
  c.set("env.random_start=true");
  c.set("env.nb_steps=2");
  const std::string msg = error_message([&] { EnvSpec::from(c, "/some/data"); });
  EXPECT_PRED2(contains, msg, "env.random_start");
}

TEST(EnvSpec, DisjointSideClasses) {
  Config c = Config::defaults();
  c.set("env.class_split=disjoint");
  c.set("env.n_classes=5");
  const EnvSpec e = EnvSpec::from(c, "/some/data");
  EXPECT_EQ(e.side_classes(0), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(e.side_classes(1), (std::vector<int64_t>{5, 6, 7, 8, 9}));
}

}  // namespace
}  // namespace modspec

namespace modspec {
namespace {

// The catalogs are the one list of tasks and measures: the schema offers exactly their names,
// and every catalog measure has an implementation.
TEST(Registry, SchemaOffersTheCatalogs) {
  EXPECT_EQ(find_key("env.task")->choices, task_names());
  EXPECT_EQ(find_key("metrics.measures")->choices, measure_names());
  EXPECT_EQ(std::get<std::vector<std::string>>(find_key("metrics.measures")->default_value), default_measures());
  for (const auto& t : task_catalog()) EXPECT_NE(find_key("env.task")->doc.find(t.doc), std::string::npos) << t.name;
}

TEST(Registry, EveryCatalogMeasureHasAnImplementation) {
  for (const auto& name : measure_names()) EXPECT_NO_THROW(make_measure(name)) << name;
  EXPECT_TRUE(test::contains(test::error_message([] { make_measure("entropy"); }), "unknown measure 'entropy'"));
  EXPECT_TRUE(test::contains(test::error_message([] { find_task("product"); }), "unknown task 'product'"));
}

}  // namespace
}  // namespace modspec
