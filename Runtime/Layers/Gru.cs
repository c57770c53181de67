using System;
using Cortex.Backends;
using Cortex.Tensors;

namespace Cortex.Layers;

/// <summary>
/// A gated recurrent unit in the formulation with the reset gate applied after the recurrent product (cuDNN's,
/// ONNX <c>GRU</c> with <c>linear_before_reset = 1</c>, PyTorch's <c>nn.GRU</c>):
/// <code>
/// u = σ(x W_uᵀ + b_xu + h U_uᵀ + b_hu)          update gate (ONNX z)
/// r = σ(x W_rᵀ + b_xr + h U_rᵀ + b_hr)          reset gate
/// n = tanh(x W_nᵀ + b_xn + r ⊙ (h U_nᵀ + b_hn))   candidate (ONNX h̃)
/// h′ = (1 − u) ⊙ n + u ⊙ h
/// </code>
/// Why this one: all three recurrent products h·U_{u,r,n}ᵀ are one GEMM (B, H)·(H, 3H) that does not wait for r,
/// so a step is two GEMMs plus one element-wise kernel, and it is the formulation that cuDNN, PyTorch and ONNX
/// Runtime's fast path implement, so exported brains run there unchanged. (The original Cho et al. form,
/// n = tanh(x W_nᵀ + (r ⊙ h) U_nᵀ), needs a third, dependent GEMM per step.)
/// </summary>
/// <remarks>
/// Parameters, in arena order: W (3H, In), U (3H, H), b_x (3H), b_h (3H); gate blocks in ONNX order [u | r | n].
/// </remarks>
public sealed class Gru : RecurrentLayer
{
    /// <summary>Creates an unbound layer.</summary>
    /// <param name="inputs">In, at least 1.</param>
    /// <param name="hidden">H, at least 1.</param>
    public Gru(int inputs, int hidden) : base(inputs, hidden)
    {
    }

    /// <summary>3H·In + 3H·H + 6H.</summary>
    public override int ParameterCount => 3 * Hidden * (Inputs + Hidden + 2);

    /// <summary>Gates [u | r | n] (3H) and gh = h·Uᵀ + b_h (3H).</summary>
    public override int CacheWidth => 6 * Hidden;

    /// <summary>gx, or dgx and dgh in the backward pass: 6H.</summary>
    public override int ScratchWidth => 6 * Hidden;

    /// <summary>W (3H, In).</summary>
    public BufferSlice InputWeight { get; private set; }

    /// <summary>U (3H, H).</summary>
    public BufferSlice RecurrentWeight { get; private set; }

    /// <summary>b_x (3H).</summary>
    public BufferSlice InputBias { get; private set; }

    /// <summary>b_h (3H).</summary>
    public BufferSlice RecurrentBias { get; private set; }

    private BufferSlice _dW, _dU, _dBx, _dBh;

    /// <summary>W, U, b_x, b_h.</summary>
    /// <param name="parameters">This layer's slice of the parameter arena.</param>
    /// <param name="gradients">This layer's slice of the gradient arena.</param>
    protected override void OnBind(BufferSlice parameters, BufferSlice gradients)
    {
        int g = 3 * Hidden, w = g * Inputs, u = g * Hidden;
        InputWeight = parameters.Slice(0, w);
        RecurrentWeight = parameters.Slice(w, u);
        InputBias = parameters.Slice(w + u, g);
        RecurrentBias = parameters.Slice(w + u + g, g);
        _dW = gradients.Slice(0, w);
        _dU = gradients.Slice(w, u);
        _dBx = gradients.Slice(w + u, g);
        _dBh = gradients.Slice(w + u + g, g);
    }

    /// <summary>W and U Xavier-uniform per gate block (fan-in In or H, fan-out H), biases 0.</summary>
    /// <param name="parameters">Exactly <see cref="ParameterCount"/> floats.</param>
    /// <param name="random">The generator.</param>
    public override void Initialize(Span<float> parameters, SeededRandom random)
    {
        if (parameters.Length != ParameterCount) throw new ArgumentException($"parameters holds {parameters.Length} floats but the layer needs {ParameterCount}.", nameof(parameters));
        int g = 3 * Hidden, w = g * Inputs, u = g * Hidden;
        for (int k = 0; k < 3; k++) WeightInitializer.Fill(parameters.Slice(k * Hidden * Inputs, Hidden * Inputs), WeightInit.XavierUniform, Inputs, Hidden, random);
        for (int k = 0; k < 3; k++) WeightInitializer.Fill(parameters.Slice(w + k * Hidden * Hidden, Hidden * Hidden), WeightInit.XavierUniform, Hidden, Hidden, random);
        parameters.Slice(w + u).Clear();
    }

    // x (B, In), hPrev (B, H), hNext (B, H), W (3H, In), U (3H, H), gx (B, 3H), gh (B, 3H), gates (B, 3H)

    /// <summary>gx = x·Wᵀ + b_x, gh = h·Uᵀ + b_h, then the gates and h′ (one element-wise kernel).</summary>
    /// <param name="backend">Where to run.</param>
    /// <param name="hNext">New state (B, H); may equal hPrev.</param>
    /// <param name="hPrev">Previous state (B, H).</param>
    /// <param name="x">Input (B, In).</param>
    /// <param name="cache">(B, 6H): gates (B, 3H), then gh (B, 3H).</param>
    /// <param name="scratch">(B, 6H): gx.</param>
    /// <param name="batch">B.</param>
    public override void Step(IBackend backend, BufferSlice hNext, BufferSlice hPrev, BufferSlice x, BufferSlice cache, BufferSlice scratch, int batch)
    {
        int g = 3 * Hidden, rows = batch * g;
        BufferSlice gates = cache.Slice(0, rows), gh = cache.Slice(rows, rows), gx = scratch.Slice(0, rows);
        backend.Gemm(gx, x, InputWeight, batch, g, Inputs, transposeA: false, transposeB: true, accumulate: false);      // gx = x·Wᵀ
        backend.BiasActivationForward(gx, gx, InputBias, Activation.Linear, batch, g);                                     // gx += b_x
        backend.Gemm(gh, hPrev, RecurrentWeight, batch, g, Hidden, transposeA: false, transposeB: true, accumulate: false); // gh = h·Uᵀ
        backend.BiasActivationForward(gh, gh, RecurrentBias, Activation.Linear, batch, g);                                // gh += b_h
        backend.GruGatesForward(hNext, gates, gx, gh, hPrev, batch, Hidden);                                               // u, r, n, h′
    }

    /// <summary>
    /// dgx, dgh from dh′ (element-wise kernel, which also adds the direct path dh′ ⊙ u into dh), then
    /// db_x += Σ dgx, db_h += Σ dgh, dW += dgxᵀ·x, dU += dghᵀ·h, dx = dgx·W, dh += dgh·U.
    /// </summary>
    /// <param name="backend">Where to run.</param>
    /// <param name="dX">dL/dx (B, In), overwritten; empty to skip.</param>
    /// <param name="dHPrev">dL/dh (B, H), accumulated into.</param>
    /// <param name="dHNext">dL/dh′ (B, H).</param>
    /// <param name="hNext">h′ (unused: the gates carry what is needed).</param>
    /// <param name="hPrev">h (B, H).</param>
    /// <param name="x">x (B, In).</param>
    /// <param name="cache">The step's gates and gh.</param>
    /// <param name="scratch">(B, 6H): dgx (B, 3H), then dgh (B, 3H).</param>
    /// <param name="batch">B.</param>
    public override void StepBackward(IBackend backend, BufferSlice dX, BufferSlice dHPrev, BufferSlice dHNext, BufferSlice hNext, BufferSlice hPrev,
        BufferSlice x, BufferSlice cache, BufferSlice scratch, int batch)
    {
        int g = 3 * Hidden, rows = batch * g;
        BufferSlice gates = cache.Slice(0, rows), gh = cache.Slice(rows, rows);
        BufferSlice dGx = scratch.Slice(0, rows), dGh = scratch.Slice(rows, rows);
        backend.GruGatesBackward(dGx, dGh, dHPrev, dHNext, gates, gh, hPrev, batch, Hidden);                                  // dgx, dgh; dh += dh′ ⊙ u
        backend.ColumnSum(_dBx, dGx, batch, g, accumulate: true);                                                             // db_x += Σ dgx
        backend.ColumnSum(_dBh, dGh, batch, g, accumulate: true);                                                             // db_h += Σ dgh
        backend.Gemm(_dW, dGx, x, g, Inputs, batch, transposeA: true, transposeB: false, accumulate: true);                    // dW += dgxᵀ·x
        backend.Gemm(_dU, dGh, hPrev, g, Hidden, batch, transposeA: true, transposeB: false, accumulate: true);                // dU += dghᵀ·h
        if (!dX.IsEmpty) backend.Gemm(dX, dGx, InputWeight, batch, Inputs, g, transposeA: false, transposeB: false, accumulate: false); // dx = dgx·W
        backend.Gemm(dHPrev, dGh, RecurrentWeight, batch, Hidden, g, transposeA: false, transposeB: false, accumulate: true);  // dh += dgh·U
    }

    /// <inheritdoc />
    public override string ToString() => $"Gru({Inputs} -> {Hidden})";
}
