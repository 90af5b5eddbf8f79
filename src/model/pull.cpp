#include "model/pull.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <vector>

#include "common/command_output.h"
#include "common/strings.h"
#include "model/labels.h"
#include "model/model.h"

extern char** environ;
namespace fs = std::filesystem;

namespace mlfaas::model {
namespace {

void curl(const std::string& url, const fs::path& out) {
  // Offline, this fails within seconds rather than hanging on the retries.
  std::vector<std::string> args = {"curl", "-fsSL", "--connect-timeout", "10", "--retry", "2", "-o", out.string(), url};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  if (posix_spawnp(&pid, "curl", nullptr, nullptr, argv.data(), environ) != 0)
    throw std::runtime_error("cannot run curl (install it with scripts/install-deps.sh)");
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("download failed (curl exit " + std::to_string(WEXITSTATUS(status)) + "): " + url);
}

}  // namespace

std::string file_sha256(const fs::path& file) {
  auto out = command_output({"sha256sum", file.string()});
  if (!out || out->size() < 64) throw std::runtime_error("sha256sum failed on " + file.string());
  return out->substr(0, 64);
}

std::string zoo_mobilenetv2_manifest() {
  return "# MobileNetV2 (opset 12) from the ONNX model zoo, written by `mlfaas model pull`.\n"
         "name: mobilenetv2-zoo\n"
         "version: \"12\"\n"
         "input:\n  name: input\n  layout: NCHW\n  height: 224\n  width: 224\n  color: RGB\n"
         "preprocess:\n  resize: shorter-side-center-crop\n  resize_size: 256\n"
         "  interpolation: bilinear-half-pixel\n  scale: 0.00392156862745098\n"
         "  mean: [0.485, 0.456, 0.406]\n  std: [0.229, 0.224, 0.225]\n"
         "output:\n  name: output\n  kind: logits\n"
         "labels: labels.txt\nsynsets: synsets.txt\n";
}

void pull_model(const fs::path& dest, const PullSource& src, const std::function<void(const std::string&)>& progress) {
  auto say = [&](const std::string& s) {
    if (progress) progress(s);
  };
  fs::path tmp = dest.string() + ".partial";
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  say("downloading " + src.model_url);
  curl(src.model_url, tmp / "model.onnx");
  if (!src.model_sha256.empty())
    if (auto got = file_sha256(tmp / "model.onnx"); got != src.model_sha256)
      throw std::runtime_error("the downloaded model is not the pinned one: sha256 " + got + ", expected " +
                               src.model_sha256 + " (" + src.model_url + ")");
  say("downloading " + src.synsets_url);
  curl(src.synsets_url, tmp / "synset.txt");
  // synset.txt lines look like "n01440764 tench, Tinca tinca": split into synsets and labels.
  std::string labels, synsets;
  for (auto& line : read_lines_file((tmp / "synset.txt").string())) {
    auto sp = line.find(' ');
    if (sp == std::string::npos) throw std::runtime_error("unexpected line in synset.txt: " + line);
    synsets += line.substr(0, sp) + "\n";
    labels += line.substr(sp + 1) + "\n";
  }
  fs::remove(tmp / "synset.txt");
  std::ofstream(tmp / "labels.txt") << labels;
  std::ofstream(tmp / "synsets.txt") << synsets;
  std::ofstream(tmp / "manifest.yaml") << zoo_mobilenetv2_manifest();
  say("validating");
  Model::load(tmp);  // throws if the download is not what we expect
  fs::remove_all(dest);
  fs::create_directories(dest.parent_path());
  fs::rename(tmp, dest);
  say("model ready in " + dest.string());
}

}  // namespace mlfaas::model
