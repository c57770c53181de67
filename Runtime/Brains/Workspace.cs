using System;
using Cortex.Backends;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex;

/// <summary>
/// What a brain keeps between its forward and backward passes, allocated once for <see cref="BrainSpec.MaxBatch"/> rows
/// on its backend: input | per layer z (and y unless the layer's output is its pre-activation) | target | two gradient
/// ping-pong buffers. A backend with host memory also gets views that put the caller's spans in place of the input,
/// target and output slices.
/// </summary>
internal sealed class Workspace : IDisposable
{
    private readonly IBackend _backend;
    private readonly DeviceBuffer _buffer;
    private readonly DeviceBuffer? _inputView, _targetView, _outputView;
    private readonly int _inputFloats;
    private DeviceBuffer? _inputGradient;

    public Workspace(IBackend backend, BrainSpec spec, Layer[] layers)
    {
        _backend = backend;
        int maxBatch = spec.MaxBatch, widest = Widest(spec);
        long size = maxBatch * (spec.Inputs + spec.Outputs + 2L * widest);
        foreach (Layer layer in layers) size += (long)maxBatch * layer.Outputs * (layer.OutputIsPreActivation ? 1 : 2);
        _buffer = backend.Allocate(checked((int)size));
        int at = 0;
        BufferSlice Take(int length)
        {
            BufferSlice s = _buffer.Slice(at, length);
            at += length;
            return s;
        }
        _inputFloats = maxBatch * spec.Inputs;
        Input = Take(_inputFloats);
        Z = new BufferSlice[layers.Length];
        Y = new BufferSlice[layers.Length];
        for (int i = 0; i < layers.Length; i++)
        {
            Z[i] = Take(maxBatch * layers[i].Outputs);
            Y[i] = layers[i].OutputIsPreActivation ? Z[i] : Take(maxBatch * layers[i].Outputs);
        }
        Target = Take(maxBatch * spec.Outputs);
        GradientA = Take(maxBatch * widest);
        GradientB = Take(maxBatch * widest);
        HostOutput = new float[maxBatch * spec.Outputs];
        HostTarget = new float[maxBatch * spec.Outputs];
        Host = backend as IHostBackend;
        Scalars = (backend as IQueuedScalarsBackend)?.CreateScalarQueue();
        if (Host is not null)
        {
            _inputView = Host.CreateView();
            _targetView = Host.CreateView();
            _outputView = Host.CreateView();
        }
    }

    /// <summary>The backend's host-memory capability, or null (then inputs are uploaded and outputs downloaded).</summary>
    public IHostBackend? Host { get; }

    /// <summary>This brain's queue for the training step's scalars, on a backend that reduces them on its device (else null).</summary>
    public ScalarQueue? Scalars { get; }

    /// <summary>x (MaxBatch, Inputs).</summary>
    public BufferSlice Input { get; }

    /// <summary>z of each layer (MaxBatch, Out).</summary>
    public BufferSlice[] Z { get; }

    /// <summary>y of each layer (MaxBatch, Out); the same slice as z for a layer whose output is its pre-activation.</summary>
    public BufferSlice[] Y { get; }

    /// <summary>Targets (MaxBatch, Outputs).</summary>
    public BufferSlice Target { get; }

    /// <summary>dL/dy of the last layer, then each layer's dX for the one before, in turn with <see cref="GradientB"/>.</summary>
    public BufferSlice GradientA { get; }

    /// <summary>The other gradient buffer.</summary>
    public BufferSlice GradientB { get; }

    /// <summary>dL/dx (MaxBatch, Inputs) for learners that differentiate through the inputs; allocated on first use.</summary>
    public BufferSlice InputGradient => (_inputGradient ??= _backend.Allocate(_inputFloats)).All;

    /// <summary>Host copy of outputs (batch, Outputs) for backends without host memory.</summary>
    public float[] HostOutput { get; }

    /// <summary>One-hot targets built from labels.</summary>
    public float[] HostTarget { get; }

    /// <summary>Rows of the last training forward pass whose activations are still in place (−1: none).</summary>
    public int ForwardRows { get; set; } = -1;

    /// <summary>Whether that pass's input sits in <see cref="Input"/> (a public Forward) rather than in the caller's memory.</summary>
    public bool InputKept { get; set; }

    /// <summary>An upper bound of what a brain allocates per batch row: input, z and y per layer, target, two gradient buffers, host copies.</summary>
    /// <param name="spec">The brain's description.</param>
    public static long Floats(BrainSpec spec)
    {
        long perRow = spec.Inputs + 3L * spec.Outputs;
        foreach (LayerSpec l in spec.Layers) perRow += 2L * l.Outputs;
        return spec.MaxBatch * (perRow + 2L * Widest(spec));
    }

    /// <summary>The input rows of a call: the caller's memory in place on a host backend, else uploaded into <see cref="Input"/>.</summary>
    /// <param name="data">Pinned caller memory, rows·Inputs floats.</param>
    /// <param name="length">Floats.</param>
    public unsafe BufferSlice StageInput(float* data, int length) => Stage(_inputView, Input, data, length);

    /// <summary>The targets of a call, like <see cref="StageInput"/>.</summary>
    /// <param name="data">Pinned caller memory.</param>
    /// <param name="length">Floats.</param>
    public unsafe BufferSlice StageTarget(float* data, int length) => Stage(_targetView, Target, data, length);

    /// <summary>Where the last layer writes: the caller's memory on a host backend, else <paramref name="last"/> (then <see cref="Deliver"/> copies it).</summary>
    /// <param name="data">Pinned caller memory.</param>
    /// <param name="length">Floats.</param>
    /// <param name="last">The last layer's output slice.</param>
    public unsafe BufferSlice OutputFor(float* data, int length, BufferSlice last) =>
        Host is null ? last.Take(length) : Host.View(_outputView!, data, length);

    /// <summary>Copies the output to the caller unless it was written there in place.</summary>
    /// <param name="data">Pinned caller memory.</param>
    /// <param name="output">What <see cref="OutputFor"/> returned.</param>
    public unsafe void Deliver(float* data, BufferSlice output)
    {
        if (Host is null) _backend.Download(new Span<float>(data, output.Length), output);
    }

    /// <summary>The values of a slice on the host: in place on a host backend, else copied into <see cref="HostOutput"/>.</summary>
    /// <param name="slice">At most MaxBatch·Outputs floats.</param>
    public ReadOnlySpan<float> Read(BufferSlice slice)
    {
        if (Host is not null) return Host.HostSpan(slice);
        Span<float> host = HostOutput.AsSpan(0, slice.Length);
        _backend.Download(host, slice);
        return host;
    }

    /// <summary>The whole inference pass in one kernel, prepared at the first Predict on a backend that offers it (null: layer by layer).</summary>
    public FusedForward? Fused { get; set; }

    /// <summary>Whether <see cref="Fused"/> was asked for already.</summary>
    public bool FusedPrepared { get; set; }

    public void Dispose()
    {
        Fused?.Dispose();
        _buffer.Dispose();
        _inputGradient?.Dispose();
        Scalars?.Dispose();
        _inputView?.Dispose();
        _targetView?.Dispose();
        _outputView?.Dispose();
    }

    private unsafe BufferSlice Stage(DeviceBuffer? view, BufferSlice workspace, float* data, int length)
    {
        if (Host is not null) return Host.View(view!, data, length);
        BufferSlice slice = workspace.Take(length);
        _backend.Upload(slice, new ReadOnlySpan<float>(data, length));
        return slice;
    }

    private static int Widest(BrainSpec spec)
    {
        int widest = 0;
        foreach (LayerSpec l in spec.Layers) widest = Math.Max(widest, l.Outputs);
        return widest;
    }
}
