using System;
using Cortex.Backends;
using Cortex.Tensors;

namespace Cortex;

// Real-time support: a guarded training step that rolls back a step whose result is not finite,
// and a per-layer capture of gradient health taken just before each optimizer step.
public sealed partial class Brain
{
    private DeviceBuffer? _guardParameters, _guardMoment1, _guardMoment2;
    private HealthCapture? _health;

    /// <summary>
    /// <see cref="Train(ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/> that also guards the result: a step
    /// whose loss or gradient is not finite is rejected as before, and a step that leaves a weight (or the sum of
    /// their squares) non-finite is rolled back — weights, optimizer moments and <see cref="Steps"/> return to
    /// the last good values and <see cref="RejectedSteps"/> counts it. Returns true when the step was kept.
    /// Allocates nothing after its first call (which sizes the snapshot).
    /// </summary>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="targets">(batch, Outputs).</param>
    /// <param name="batch">Rows, 1 to <see cref="MaxBatch"/>.</param>
    /// <param name="loss">Mean loss of the batch before the step (may be NaN or infinite when rejected).</param>
    public bool TryTrain(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch, out float loss)
    {
        using SingleThreadGuard.Scope scope = _guard.Enter(nameof(TryTrain));
        ThrowIfDisposed();
        CheckBatch(batch, MaxBatch);
        if (batch == 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "A training batch needs at least one row.");
        CheckRows(inputs.Length, batch, Inputs, nameof(inputs));
        CheckRows(targets.Length, batch, Outputs, nameof(targets));
        Snapshot();
        long rejected = RejectedSteps, steps = Steps;
        loss = Train(inputs, targets, batch);
        if (RejectedSteps != rejected) return false;
        if (!IsFinite(ArenaSquares(_parameters)))
        {
            Rollback();
            Steps = steps;
            RejectedSteps++;
            return false;
        }
        return true;
    }

    /// <summary>
    /// Reviews every optimizer step before it is taken (<see cref="ApplyGradients"/>, and so <c>Train</c> and
    /// <see cref="TryTrain"/>): it may reject or shrink it. Null (the default for a brain of its own) takes every
    /// finite step; <c>OnlineTrainer</c>, <c>BackgroundTrainer</c> and the learners install a <see cref="SpikeGuard"/>
    /// unless one is set. A filter that accepts (returns 1) leaves the step bit for bit as without a filter.
    /// </summary>
    public IStepFilter? StepFilter { get; set; }

    private bool RejectByFilter(float norm)
    {
        Reject(norm);
        return false;
    }

    /// <summary>Starts capturing per-layer gradient health before every optimizer step (see <c>Cortex.Diagnostics.GradientHealth</c>).</summary>
    internal HealthCapture EnableHealthCapture()
    {
        ThrowIfDisposed();
        return _health ??= new HealthCapture(this);
    }

    private void Snapshot()
    {
        if (_guardParameters is null)
        {
            _guardParameters = _backend.Allocate(ParameterCount);
            if (_moment1 is not null) _guardMoment1 = _backend.Allocate(ParameterCount);
            if (_moment2 is not null) _guardMoment2 = _backend.Allocate(ParameterCount);
        }
        _backend.Copy(_guardParameters.All, _parameters.All);
        if (_moment1 is not null) _backend.Copy(_guardMoment1!.All, _moment1.All);
        if (_moment2 is not null) _backend.Copy(_guardMoment2!.All, _moment2.All);
    }

    private void Rollback()
    {
        _backend.Copy(_parameters.All, _guardParameters!.All);
        if (_moment1 is not null) _backend.Copy(_moment1.All, _guardMoment1!.All);
        if (_moment2 is not null) _backend.Copy(_moment2.All, _guardMoment2!.All);
        _backend.Fill(_gradients.All, 0f);
    }

    // Called by ApplyGradients before the finite check and the step, while the gradients and the
    // activations of the last forward pass are still in place.
    private void CaptureHealth() => _health?.Capture();

    private void DisposeRealtime()
    {
        _guardParameters?.Dispose();
        _guardMoment1?.Dispose();
        _guardMoment2?.Dispose();
    }

    /// <summary>
    /// Per-layer numbers taken before each optimizer step: squared gradient and weight norms, and the
    /// share of dead ReLU units and saturated sigmoid/tanh activations over the last forward batch.
    /// Sized once; capturing allocates nothing.
    /// </summary>
    internal sealed class HealthCapture
    {
        /// <summary>sigmoid below this or above 1 − this counts as saturated.</summary>
        public const float SigmoidMargin = 0.01f;

        /// <summary>|tanh| above this counts as saturated.</summary>
        public const float TanhLimit = 0.99f;

        private readonly Brain _brain;
        private readonly bool[] _alive;
        private readonly float[]? _scratch;

        public HealthCapture(Brain brain)
        {
            _brain = brain;
            int count = brain._layers.Length, widest = 0;
            foreach (var layer in brain._layers) widest = Math.Max(widest, layer.Outputs);
            GradientSquares = new double[count];
            WeightSquares = new double[count];
            DeadShare = new float[count];
            SaturatedShare = new float[count];
            _alive = new bool[widest];
            if (brain._backend is not CpuBackend) _scratch = new float[brain.MaxBatch * widest];
        }

        public double[] GradientSquares { get; }

        public double[] WeightSquares { get; }

        public float[] DeadShare { get; }

        public float[] SaturatedShare { get; }

        /// <summary>Rows of the forward batch the activation shares came from (0: none was available).</summary>
        public int Rows { get; private set; }

        /// <summary>Captures taken; a reader compares it with what it saw last.</summary>
        public long Captures { get; private set; }

        public void Capture()
        {
            Brain brain = _brain;
            IBackend backend = brain._backend;
            int rows = brain._forwardRows;
            for (int i = 0; i < brain._layers.Length; i++)
            {
                var layer = brain._layers[i];
                GradientSquares[i] = backend.SumOfSquares(layer.WeightGradient) + backend.SumOfSquares(layer.BiasGradient);
                WeightSquares[i] = backend.SumOfSquares(layer.Weight) + backend.SumOfSquares(layer.Bias);
                DeadShare[i] = 0f;
                SaturatedShare[i] = 0f;
                if (rows < 1) continue;
                ActivationKind kind = layer.Activation.Kind;
                if (kind is not (ActivationKind.Relu or ActivationKind.Sigmoid or ActivationKind.Tanh)) continue;
                ReadOnlySpan<float> y = HostView(brain._y[i].Take(rows * layer.Outputs));
                if (kind == ActivationKind.Relu) DeadShare[i] = Dead(y, rows, layer.Outputs);
                else SaturatedShare[i] = Saturated(y, kind);
            }
            Rows = Math.Max(rows, 0);
            Captures++;
        }

        private ReadOnlySpan<float> HostView(BufferSlice slice)
        {
            if (_scratch is null) return CpuBackend.Span(slice);
            Span<float> host = _scratch.AsSpan(0, slice.Length);
            _brain._backend.Download(host, slice);
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
}
