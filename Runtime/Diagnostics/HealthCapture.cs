using System;
using Cortex.Backends;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Diagnostics;

/// <summary>
/// Per-layer numbers taken before each optimizer step: squared gradient and weight norms, and the
/// share of dead ReLU units and saturated sigmoid/tanh activations over the last forward batch.
/// Sized once; capturing allocates nothing.
/// </summary>
internal sealed class HealthCapture : IStepObserver
{
    /// <summary>sigmoid below this or above 1 − this counts as saturated.</summary>
    public const float SigmoidMargin = 0.01f;

    /// <summary>|tanh| above this counts as saturated.</summary>
    public const float TanhLimit = 0.99f;

    private readonly Brain _brain;
    private readonly bool[] _alive;
    private readonly float[]? _scratch;

    private HealthCapture(Brain brain)
    {
        _brain = brain;
        int count = brain.Layers.Count, widest = 0;
        foreach (Layer layer in brain.Layers) widest = Math.Max(widest, layer.Outputs);
        GradientSquares = new double[count];
        WeightSquares = new double[count];
        DeadShare = new float[count];
        SaturatedShare = new float[count];
        _alive = new bool[widest];
        if (brain.Workspace.Host is null) _scratch = new float[brain.MaxBatch * widest];
    }

    /// <summary>The brain's capture, installed before its next optimizer step (one per brain).</summary>
    /// <param name="brain">The brain to watch.</param>
    public static HealthCapture Attach(Brain brain)
    {
        if (brain.StepObserver is HealthCapture existing) return existing;
        var capture = new HealthCapture(brain);
        brain.StepObserver = capture;
        return capture;
    }

    public double[] GradientSquares { get; }

    public double[] WeightSquares { get; }

    public float[] DeadShare { get; }

    public float[] SaturatedShare { get; }

    /// <summary>Rows of the forward batch the activation shares came from (0: none was available).</summary>
    public int Rows { get; private set; }

    /// <summary>Captures taken; a reader compares it with what it saw last.</summary>
    public long Captures { get; private set; }

    /// <summary>Takes the numbers for every layer (called by the brain before each optimizer step).</summary>
    /// <param name="brain">The brain about to step.</param>
    public void BeforeStep(Brain brain)
    {
        IBackend backend = brain.Backend;
        Workspace work = brain.Workspace;
        int rows = work.ForwardRows;
        for (int i = 0; i < brain.Layers.Count; i++)
        {
            Layer layer = brain.Layers[i];
            GradientSquares[i] = backend.SumOfSquares(layer.Gradients);
            WeightSquares[i] = backend.SumOfSquares(layer.Parameters);
            DeadShare[i] = 0f;
            SaturatedShare[i] = 0f;
            if (rows < 1) continue;
            ActivationKind kind = brain.Spec.Layers[i].Activation.Kind;
            if (kind is not (ActivationKind.Relu or ActivationKind.Sigmoid or ActivationKind.Tanh)) continue;
            ReadOnlySpan<float> y = HostView(work.Y[i].Take(rows * layer.Outputs));
            if (kind == ActivationKind.Relu) DeadShare[i] = Dead(y, rows, layer.Outputs);
            else SaturatedShare[i] = Saturated(y, kind);
        }
        Rows = Math.Max(rows, 0);
        Captures++;
    }

    private ReadOnlySpan<float> HostView(BufferSlice slice)
    {
        if (_scratch is null) return _brain.Workspace.Host!.HostSpan(slice);
        Span<float> host = _scratch.AsSpan(0, slice.Length);
        _brain.Backend.Download(host, slice);
        return host;
    }

    // A ReLU unit is dead on this batch when it output 0 for every row: no gradient reaches its weights.
    private float Dead(ReadOnlySpan<float> y, int rows, int units)
    {
        Span<bool> alive = _alive.AsSpan(0, units);
        alive.Clear();
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = y.Slice(r * units, units);
            for (int j = 0; j < units; j++) alive[j] |= row[j] > 0f;
        }
        int dead = 0;
        foreach (bool a in alive) if (!a) dead++;
        return (float)dead / units;
    }

    // Share of activations near an asymptote, where f′ ≈ 0 and the gradient vanishes.
    private static float Saturated(ReadOnlySpan<float> y, ActivationKind kind)
    {
        int saturated = 0;
        if (kind == ActivationKind.Sigmoid)
        {
            foreach (float v in y) if (v < SigmoidMargin || v > 1f - SigmoidMargin) saturated++;
        }
        else
        {
            foreach (float v in y) if (Math.Abs(v) > TanhLimit) saturated++;
        }
        return y.Length == 0 ? 0f : (float)saturated / y.Length;
    }
}
