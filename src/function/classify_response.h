#pragma once
// The classify response body (one image):
// {"predictions":[{"index","label","wnid","confidence"}...], "predicted_class", "confidence",
//  "model":{"name","version"}, "timings_ms":{"decode","preprocess","queue","inference","total"}}
// A request with a list of images gets a JSON array of these, in order.
#include <string>

#include "function/inference_task.h"
#include "model/model.h"

namespace mlfaas::function {

void append_classification_json(std::string& out, const model::Model& m, const TaskResult& r, int k,
                                 double total_ms);

}  // namespace mlfaas::function
