using Cortex.Backends;
using Cortex.Tensors;

namespace Cortex.OpenCL;

/// <summary>A small network's forward pass on an <see cref="OpenClBackend"/>: its layer layout on the device and the parameter arena it reads (the layout holds absolute offsets into it).</summary>
internal sealed class OpenClFusedForward : FusedForward
{
    public OpenClFusedForward(OpenClBackend owner, OpenClBuffer layout, OpenClBuffer arena, int layers, int inputs, int outputs, int maxWidth, bool onLanes)
    {
        OnLanes = onLanes;
        MaxWidth = maxWidth;
        Owner = owner;
        Layout = layout;
        Arena = arena;
        Layers = layers;
        Inputs = inputs;
        Outputs = outputs;
    }

    public OpenClBackend Owner { get; }

    /// <summary>6 ints per layer (see FusedForward.cl).</summary>
    public OpenClBuffer Layout { get; }

    /// <summary>The parameter arena holding every layer's weights and biases.</summary>
    public OpenClBuffer Arena { get; }

    public int Layers { get; }

    public int Inputs { get; }

    public int Outputs { get; }

    /// <summary>The widest row, inputs included: a tile of activations holds FusedRows rows of it.</summary>
    public int MaxWidth { get; }

    /// <summary>fused_forward_lanes (rows as vector lanes) rather than fused_forward.</summary>
    public bool OnLanes { get; }

    public override void Run(BufferSlice y, BufferSlice x, int rows) => Owner.RunFusedForward(this, y, x, rows);

    public override void Dispose() => Layout.Dispose();
}
