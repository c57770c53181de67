using System;
using Cortex.Backends;
using Cortex.Tensors;

namespace Cortex.Layers;

/// <summary>
/// A layer with memory: h_{t+1} = cell(h_t, x_t). Forward runs over a sequence; the backward pass through time
/// (BPTT) walks the same steps in reverse, each step's backward beside its forward in the derived type. Like
/// <see cref="Layer"/>, the math is written once against <see cref="IBackend"/>; parameters and gradients are slices
/// of arenas bound with <see cref="Bind"/>, and the backward pass accumulates into the gradients.
/// </summary>
/// <remarks>
/// Sequence buffers are time-major: x (T, B, In), states (T + 1, B, H) with states[0] = h₀ and states[t + 1] the
/// output of step t, cache (T, B, <see cref="CacheWidth"/>). All work buffers are caller-owned, so a step allocates nothing.
/// </remarks>
public abstract class RecurrentLayer
{
    /// <summary>Creates a layer of the given widths.</summary>
    /// <param name="inputs">In, at least 1.</param>
    /// <param name="hidden">H, at least 1.</param>
    protected RecurrentLayer(int inputs, int hidden)
    {
        if (inputs < 1) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "A layer needs at least one input.");
        if (hidden < 1) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "A recurrent layer needs at least one hidden unit.");
        Inputs = inputs;
        Hidden = hidden;
    }

    /// <summary>In: values per input row.</summary>
    public int Inputs { get; }

    /// <summary>H: values per state (and output) row.</summary>
    public int Hidden { get; }

    /// <summary>Floats this layer owns in the parameter arena (and, the same layout, in the gradient arena).</summary>
    public abstract int ParameterCount { get; }

    /// <summary>Floats per batch row and step that the forward pass keeps for the backward pass.</summary>
    public abstract int CacheWidth { get; }

    /// <summary>Floats per batch row of scratch that a step (forward or backward) needs.</summary>
    public abstract int ScratchWidth { get; }

    /// <summary>This layer's slice of the parameter arena (after <see cref="Bind"/>).</summary>
    public BufferSlice Parameters { get; private set; }

    /// <summary>This layer's slice of the gradient arena (after <see cref="Bind"/>).</summary>
    public BufferSlice Gradients { get; private set; }

    /// <summary>Binds the layer to its <see cref="ParameterCount"/> floats of the parameter and gradient arenas.</summary>
    /// <param name="parameters">This layer's slice of the parameter arena.</param>
    /// <param name="gradients">This layer's slice of the gradient arena.</param>
    public void Bind(BufferSlice parameters, BufferSlice gradients)
    {
        if (parameters.Length != ParameterCount) throw new ArgumentException($"parameters holds {parameters.Length} floats but the layer needs {ParameterCount}.", nameof(parameters));
        if (gradients.Length != ParameterCount) throw new ArgumentException($"gradients holds {gradients.Length} floats but the layer needs {ParameterCount}.", nameof(gradients));
        Parameters = parameters;
        Gradients = gradients;
        OnBind(parameters, gradients);
    }

    /// <summary>Takes the layer's named slices out of its validated arena slices.</summary>
    /// <param name="parameters">Exactly <see cref="ParameterCount"/> floats of the parameter arena.</param>
    /// <param name="gradients">The same range of the gradient arena.</param>
    protected abstract void OnBind(BufferSlice parameters, BufferSlice gradients);

    /// <summary>Draws the layer's initial parameters into <paramref name="parameters"/> (laid out as in the arena).</summary>
    /// <param name="parameters">Exactly <see cref="ParameterCount"/> floats.</param>
    /// <param name="random">The generator.</param>
    public abstract void Initialize(Span<float> parameters, SeededRandom random);

    /// <summary>
    /// One step: hNext (B, H) from hPrev (B, H) and x (B, In), keeping what the backward pass needs in
    /// <paramref name="cache"/> (B, <see cref="CacheWidth"/>). hNext may be the same slice as hPrev (inference: the
    /// agents' state buffer updated in place).
    /// </summary>
    /// <param name="backend">Where to run.</param>
    /// <param name="hNext">New state (B, H).</param>
    /// <param name="hPrev">Previous state (B, H).</param>
    /// <param name="x">Input (B, In).</param>
    /// <param name="cache">(B, CacheWidth).</param>
    /// <param name="scratch">(B, ScratchWidth).</param>
    /// <param name="batch">B.</param>
    public abstract void Step(IBackend backend, BufferSlice hNext, BufferSlice hPrev, BufferSlice x, BufferSlice cache, BufferSlice scratch, int batch);

    /// <summary>
    /// Backward of one <see cref="Step"/>: from dL/dh_{t+1} accumulates the parameter gradients, adds dL/dh_t into
    /// <paramref name="dHPrev"/> and writes dX.
    /// </summary>
    /// <param name="backend">Where to run.</param>
    /// <param name="dX">dL/dx (B, In), overwritten; empty to skip.</param>
    /// <param name="dHPrev">dL/dh_t (B, H), accumulated into.</param>
    /// <param name="dHNext">dL/dh_{t+1} (B, H), the total (from the outputs and from later steps); overwritten (scratch).</param>
    /// <param name="hNext">The step's output state.</param>
    /// <param name="hPrev">The step's input state.</param>
    /// <param name="x">The step's input.</param>
    /// <param name="cache">What the step's forward kept.</param>
    /// <param name="scratch">(B, ScratchWidth).</param>
    /// <param name="batch">B.</param>
    public abstract void StepBackward(IBackend backend, BufferSlice dX, BufferSlice dHPrev, BufferSlice dHNext, BufferSlice hNext, BufferSlice hPrev,
        BufferSlice x, BufferSlice cache, BufferSlice scratch, int batch);

    /// <summary>
    /// Forward over a sequence: states[t + 1] = cell(states[t], x[t]) for t = 0 … T − 1, states[0] given.
    /// </summary>
    /// <param name="backend">Where to run.</param>
    /// <param name="states">(T + 1, B, H); states[0] is h₀ on entry.</param>
    /// <param name="x">(T, B, In).</param>
    /// <param name="cache">(T, B, CacheWidth).</param>
    /// <param name="scratch">(B, ScratchWidth).</param>
    /// <param name="batch">B.</param>
    /// <param name="steps">T.</param>
    public void ForwardSequence(IBackend backend, BufferSlice states, BufferSlice x, BufferSlice cache, BufferSlice scratch, int batch, int steps)
    {
        if (backend is null) throw new ArgumentNullException(nameof(backend));
        CheckSequence(states, x, cache, scratch, batch, steps);
        int h = batch * Hidden, i = batch * Inputs, c = batch * CacheWidth;
        BufferSlice work = scratch.Slice(0, batch * ScratchWidth);
        for (int t = 0; t < steps; t++)
        {
            Step(backend, states.Slice((t + 1) * h, h), states.Slice(t * h, h), x.Slice(t * i, i), cache.Slice(t * c, c), work, batch);
        }
    }

    /// <summary>
    /// Backward through time over a sequence run by <see cref="ForwardSequence"/>, truncated by <paramref name="truncation"/>.
    /// On entry dStates[t + 1] holds dL/dh_{t+1} from the outputs alone (t = 0 … T − 1); on return dStates[0] holds
    /// dL/dh₀ (zero when truncated or burnt in), dX the input gradients (zero for burn-in steps), and the parameter
    /// gradients have been accumulated. dStates[1 …] are used as scratch.
    /// </summary>
    /// <param name="backend">Where to run.</param>
    /// <param name="dX">(T, B, In), overwritten; empty to skip.</param>
    /// <param name="dStates">(T + 1, B, H).</param>
    /// <param name="states">The forward states (T + 1, B, H).</param>
    /// <param name="x">(T, B, In).</param>
    /// <param name="cache">(T, B, CacheWidth).</param>
    /// <param name="scratch">(B, ScratchWidth + H): a step's scratch plus a row block that swallows cut gradients.</param>
    /// <param name="batch">B.</param>
    /// <param name="steps">T.</param>
    /// <param name="truncation">Window and burn-in; <see cref="TruncatedBptt.Full"/> for the whole sequence.</param>
    /// <param name="stateGradientNorms">
    /// Empty, or T values: entry t receives ‖dL/dh_{t+1}‖₂ (over the batch), the total gradient reaching the state of
    /// step t — how gradients vanish or explode with the distance from the loss (0 for burn-in steps). Waits for the device.
    /// </param>
    public void BackwardSequence(IBackend backend, BufferSlice dX, BufferSlice dStates, BufferSlice states, BufferSlice x, BufferSlice cache,
        BufferSlice scratch, int batch, int steps, TruncatedBptt truncation, Span<double> stateGradientNorms = default)
    {
        if (!stateGradientNorms.IsEmpty && stateGradientNorms.Length != steps) throw new ArgumentException($"stateGradientNorms holds {stateGradientNorms.Length} values but T = {steps}.", nameof(stateGradientNorms));
        if (backend is null) throw new ArgumentNullException(nameof(backend));
        CheckSequence(states, x, cache, scratch, batch, steps);
        int h = batch * Hidden, i = batch * Inputs, c = batch * CacheWidth;
        if (dStates.Length < (long)(steps + 1) * h) throw new ArgumentException($"dStates holds {dStates.Length} floats but (T + 1)·B·H = {(long)(steps + 1) * h} are needed.", nameof(dStates));
        if (!dX.IsEmpty && dX.Length < (long)steps * i) throw new ArgumentException($"dX holds {dX.Length} floats but T·B·In = {(long)steps * i} are needed.", nameof(dX));
        if (scratch.Length < (long)batch * (ScratchWidth + Hidden)) throw new ArgumentException($"scratch holds {scratch.Length} floats but B·(ScratchWidth + H) = {(long)batch * (ScratchWidth + Hidden)} are needed.", nameof(scratch));
        BufferSlice work = scratch.Slice(0, batch * ScratchWidth), cut = scratch.Slice(batch * ScratchWidth, h);
        int burnIn = Math.Min(truncation.BurnIn, steps);
        backend.Fill(dStates.Slice(0, h), 0f);
        for (int t = steps - 1; t >= 0; t--)
        {
            BufferSlice dXt = dX.IsEmpty ? default : dX.Slice(t * i, i);
            if (!stateGradientNorms.IsEmpty) stateGradientNorms[t] = t < burnIn ? 0 : Math.Sqrt(backend.SumOfSquares(dStates.Slice((t + 1) * h, h)));
            if (t < burnIn)
            {
                if (!dXt.IsEmpty) backend.Fill(dXt, 0f);
                continue;
            }
            // The first step of a window (counted from the end of the burn-in) gets no gradient from its input state.
            bool windowStart = truncation.Window > 0 && (t - burnIn) % truncation.Window == 0;
            bool cutHere = windowStart || t == burnIn && burnIn > 0;
            BufferSlice dPrev = dStates.Slice(t * h, h);
            if (cutHere)
            {
                backend.Fill(cut, 0f);
                dPrev = cut;
            }
            StepBackward(backend, dXt, dPrev, dStates.Slice((t + 1) * h, h), states.Slice((t + 1) * h, h), states.Slice(t * h, h),
                x.Slice(t * i, i), cache.Slice(t * c, c), work, batch);
        }
    }

    private void CheckSequence(BufferSlice states, BufferSlice x, BufferSlice cache, BufferSlice scratch, int batch, int steps)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch must be positive.");
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be non-negative.");
        if (states.Length < (long)(steps + 1) * batch * Hidden) throw new ArgumentException($"states holds {states.Length} floats but (T + 1)·B·H = {(long)(steps + 1) * batch * Hidden} are needed.", nameof(states));
        if (x.Length < (long)steps * batch * Inputs) throw new ArgumentException($"x holds {x.Length} floats but T·B·In = {(long)steps * batch * Inputs} are needed.", nameof(x));
        if (cache.Length < (long)steps * batch * CacheWidth) throw new ArgumentException($"cache holds {cache.Length} floats but T·B·CacheWidth = {(long)steps * batch * CacheWidth} are needed.", nameof(cache));
        if (scratch.Length < (long)batch * ScratchWidth) throw new ArgumentException($"scratch holds {scratch.Length} floats but B·ScratchWidth = {(long)batch * ScratchWidth} are needed.", nameof(scratch));
    }
}
