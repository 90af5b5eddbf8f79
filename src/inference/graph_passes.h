#pragma once
// Graph rewrites done once at load, before planning: they keep the graph in plain ONNX ops so the
// reference interpreter can still run it (tests compare both sides of every pass).
#include "inference/graph.h"

namespace mlfaas::inference {

// Removes Identity and Dropout (inference no-ops) by rewiring their consumers.
void remove_identities(Graph& g);
// Folds a BatchNormalization that is the only consumer of a Conv into the Conv's weights and bias.
void fold_batchnorm_into_conv(Graph& g);
// Runs all of the above.
void optimize(Graph& g);

}  // namespace mlfaas::inference
