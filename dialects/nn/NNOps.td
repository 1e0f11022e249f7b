//===- NNOps.td - All nn dialect operations -----------------*- tablegen -*-===//
//
// The op definitions live in one file per family; this file only gathers
// them so that one tablegen run produces NNOps.h.inc / NNOps.cpp.inc.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_DIALECTS_NN_NNOPS_TD
#define NNC_DIALECTS_NN_NNOPS_TD

include "dialects/nn/NNDialect.td"
include "dialects/nn/NNStructureOps.td"
include "dialects/nn/NNElementwiseOps.td"
include "dialects/nn/NNLayerOps.td"
include "dialects/nn/NNShapeOps.td"
include "dialects/nn/NNSequenceOps.td"
include "dialects/nn/NNLossOps.td"
include "dialects/nn/NNGradOps.td"
include "dialects/nn/NNGradPointwiseOps.td"
include "dialects/nn/NNGradLayerOps.td"

#endif // NNC_DIALECTS_NN_NNOPS_TD
