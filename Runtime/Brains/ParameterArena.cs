using System;
using System.Collections.Generic;
using Cortex.Backends;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex;

/// <summary>
/// A brain's numbers on its backend: one parameter arena, one gradient arena laid out the same, one arena per
/// optimizer moment, and the arena-wide passes over them (squared norm, optimizer step), split by which core owns
/// which rows where the backend offers it. Also the last good copy a guarded step rolls back to.
/// </summary>
internal sealed class ParameterArena : IDisposable
{
    private readonly IBackend _backend;
    private readonly IHostBackend? _host;
    private readonly object? _partition;
    private DeviceBuffer? _guardParameters, _guardMoment1, _guardMoment2;

    public ParameterArena(IBackend backend, Layer[] layers, int maxBatch, int momentCount)
    {
        _backend = backend;
        int length = 0;
        foreach (Layer layer in layers) length += layer.ParameterCount;
        Parameters = backend.Allocate(length);
        Gradients = backend.Allocate(length);
        if (momentCount >= 1) Moment1 = backend.Allocate(length);
        if (momentCount >= 2) Moment2 = backend.Allocate(length);
        var blocks = new List<ArenaBlock>();
        int offset = 0;
        foreach (Layer layer in layers)
        {
            layer.Bind(Parameters.Slice(offset, layer.ParameterCount), Gradients.Slice(offset, layer.ParameterCount));
            layer.DescribeArena(blocks, offset, maxBatch);
            offset += layer.ParameterCount;
        }
        _host = backend as IHostBackend;
        _partition = _host?.PartitionArena(blocks, length);
    }

    /// <summary>Draws every layer's initial parameters from <paramref name="random"/>, first layer first, and uploads them.</summary>
    /// <param name="layers">The bound layers.</param>
    /// <param name="random">The brain's generator.</param>
    public void Initialize(Layer[] layers, SeededRandom random)
    {
        float[] weights = new float[Parameters.Length];
        int offset = 0;
        foreach (Layer layer in layers)
        {
            layer.Initialize(weights.AsSpan(offset, layer.ParameterCount), random);
            offset += layer.ParameterCount;
        }
        _backend.Upload(Parameters.All, weights);
    }

    /// <summary>Θ.</summary>
    public DeviceBuffer Parameters { get; }

    /// <summary>∇Θ, accumulated by the layers' backward passes.</summary>
    public DeviceBuffer Gradients { get; }

    /// <summary>Velocity (momentum) or m (Adam); null when the optimizer keeps none.</summary>
    public DeviceBuffer? Moment1 { get; }

    /// <summary>v (Adam); null otherwise.</summary>
    public DeviceBuffer? Moment2 { get; }

    /// <summary>Σ x² over <paramref name="arena"/> (the parameters or the gradients), each range summed on its owner.</summary>
    /// <param name="arena">An arena laid out like the parameters.</param>
    public double SumOfSquares(DeviceBuffer arena) =>
        _host is not null ? _host.SumOfSquares(arena.All, _partition) : _backend.SumOfSquares(arena.All);

    /// <summary>One optimizer step over the whole arena; clears the gradients.</summary>
    /// <param name="optimizer">The rule.</param>
    /// <param name="step">1-based step number.</param>
    /// <param name="scale">Clipping factor.</param>
    public void Step(Optimizer optimizer, long step, float scale)
    {
        BufferSlice m1 = Moment1?.All ?? default, m2 = Moment2?.All ?? default;
        if (_host is not null) _host.OptimizerStep(optimizer, Parameters.All, Gradients.All, m1, m2, step, scale, _partition);
        else _backend.OptimizerStep(optimizer, Parameters.All, Gradients.All, m1, m2, step, scale);
    }

    /// <summary>The step <see cref="Step"/> takes, queued on a device that decides the clipping scale (and whether to step) itself.</summary>
    /// <param name="device">The backend, as its scalar queue.</param>
    /// <param name="queue">The brain's queue, holding this step's loss and gradient sum of squares.</param>
    /// <param name="optimizer">The rule and its clipping norm.</param>
    /// <param name="step">1-based step number when kept.</param>
    public void QueueStep(IQueuedScalarsBackend device, ScalarQueue queue, Optimizer optimizer, long step) =>
        device.QueueOptimizerStep(queue, optimizer, Parameters.All, Gradients.All, Moment1?.All ?? default, Moment2?.All ?? default, step);

    /// <summary>Copies an arena to the host.</summary>
    /// <param name="arena">The parameters or the gradients.</param>
    /// <param name="destination">Exactly as many floats.</param>
    /// <param name="name">The caller's name for <paramref name="destination"/>.</param>
    public void Download(DeviceBuffer arena, Span<float> destination, string name)
    {
        BrainChecks.CheckExact(destination.Length, arena.Length, name);
        _backend.Download(destination, arena.All);
    }

    /// <summary>Replaces the parameters.</summary>
    /// <param name="source">Exactly as many floats.</param>
    /// <param name="name">The caller's name for <paramref name="source"/>.</param>
    public void Upload(ReadOnlySpan<float> source, string name)
    {
        BrainChecks.CheckExact(source.Length, Parameters.Length, name);
        if (!Realtime.Columns.AllFinite(source)) throw new ArgumentException("The parameters hold a NaN or an infinity; a brain holds only finite numbers.", name);
        _backend.Upload(Parameters.All, source);
    }

    /// <summary>Clears the gradients.</summary>
    public void ZeroGradients() => _backend.Fill(Gradients.All, 0f);

    /// <summary>Keeps a copy of the parameters and moments (sized on first use).</summary>
    public void Snapshot()
    {
        if (_guardParameters is null)
        {
            _guardParameters = _backend.Allocate(Parameters.Length);
            if (Moment1 is not null) _guardMoment1 = _backend.Allocate(Parameters.Length);
            if (Moment2 is not null) _guardMoment2 = _backend.Allocate(Parameters.Length);
        }
        _backend.Copy(_guardParameters.All, Parameters.All);
        if (Moment1 is not null) _backend.Copy(_guardMoment1!.All, Moment1.All);
        if (Moment2 is not null) _backend.Copy(_guardMoment2!.All, Moment2.All);
    }

    /// <summary>Returns parameters and moments to the last <see cref="Snapshot"/> and clears the gradients.</summary>
    public void Rollback()
    {
        _backend.Copy(Parameters.All, _guardParameters!.All);
        if (Moment1 is not null) _backend.Copy(Moment1.All, _guardMoment1!.All);
        if (Moment2 is not null) _backend.Copy(Moment2.All, _guardMoment2!.All);
        ZeroGradients();
    }

    /// <summary>Copies parameters and moments from an arena of the same layout (through the host when the memories differ).</summary>
    /// <param name="source">The other arena.</param>
    /// <param name="parameters">Copy the parameters.</param>
    /// <param name="moments">Copy the moments.</param>
    public void CopyFrom(ParameterArena source, bool parameters, bool moments)
    {
        if (parameters) CopyBuffer(Parameters, source.Parameters, source._backend);
        if (!moments) return;
        if (Moment1 is not null && source.Moment1 is not null) CopyBuffer(Moment1, source.Moment1, source._backend);
        if (Moment2 is not null && source.Moment2 is not null) CopyBuffer(Moment2, source.Moment2, source._backend);
    }

    /// <summary>Θ ← Θ + τ(Θ_source − Θ).</summary>
    /// <param name="source">An arena on shared memory (<see cref="SharesMemoryWith"/>).</param>
    /// <param name="tau">τ.</param>
    public void BlendFrom(ParameterArena source, float tau) => _backend.Lerp(Parameters.All, source.Parameters.All, tau);

    /// <summary>Whether buffers of <paramref name="other"/> can be read by this arena's backend directly (the same backend, or host memory on both sides).</summary>
    /// <param name="other">The other arena.</param>
    public bool SharesMemoryWith(ParameterArena other) =>
        ReferenceEquals(other._backend, _backend) || (other._host is not null && _host is not null);

    public void Dispose()
    {
        Parameters.Dispose();
        Gradients.Dispose();
        Moment1?.Dispose();
        Moment2?.Dispose();
        _guardParameters?.Dispose();
        _guardMoment1?.Dispose();
        _guardMoment2?.Dispose();
    }

    private void CopyBuffer(DeviceBuffer destination, DeviceBuffer source, IBackend sourceBackend)
    {
        if (ReferenceEquals(sourceBackend, _backend) || (sourceBackend is IHostBackend && _host is not null))
        {
            _backend.Copy(destination.All, source.All);
            return;
        }
        float[] host = new float[source.Length];
        sourceBackend.Download(host, source.All);
        _backend.Upload(destination.All, host);
    }
}
