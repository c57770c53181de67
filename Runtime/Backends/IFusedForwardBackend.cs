using System.Collections.Generic;

namespace Cortex.Backends;

/// <summary>
/// What a device backend offers inference on a small network: the whole forward pass of a stack of dense layers in one
/// kernel launch per batch tile (every layer's weights held close to the work), instead of one launch per layer. The
/// results agree with the layer-by-layer pass (<see cref="IBackend.DenseForward"/> per layer) within the backend's
/// conformance tolerances. A backend that gains nothing from fewer launches does not implement it.
/// </summary>
internal interface IFusedForwardBackend : IBackend
{
    /// <summary>Prepares the fused pass for these layers (bound to their arenas), or returns null when the network does not fit.</summary>
    /// <param name="layers">The dense layers, first to last; each one's input width is the previous one's output width.</param>
    FusedForward? PrepareFusedForward(IReadOnlyList<FusedLayer> layers);
}
