using System;
using Cortex.Backends;
using Cortex.Tensors;

namespace Cortex.Layers;

/// <summary>
/// The plain (Elman) recurrent layer: h′ = tanh(x Wᵀ + h Uᵀ + b). The layer that shows vanishing and exploding
/// gradients most plainly: dL/dh_t = Uᵀ diag(1 − h²_{t+1}) dL/dh_{t+1}, a product of T Jacobians.
/// </summary>
/// <remarks>Parameters, in arena order: W (H, In), U (H, H), b (H). ONNX <c>RNN</c> with tanh and R_b = 0.</remarks>
public sealed class ElmanRnn : RecurrentLayer
{
    /// <summary>Creates an unbound layer.</summary>
    /// <param name="inputs">In, at least 1.</param>
    /// <param name="hidden">H, at least 1.</param>
    /// <param name="recurrentScale">Multiplies the initial U (Xavier-uniform); above 1 makes gradients explode, below vanish sooner.</param>
    public ElmanRnn(int inputs, int hidden, float recurrentScale = 1f) : base(inputs, hidden)
    {
        if (!(recurrentScale > 0f) || float.IsInfinity(recurrentScale)) throw new ArgumentOutOfRangeException(nameof(recurrentScale), recurrentScale, "The recurrent scale must be positive and finite.");
        RecurrentScale = recurrentScale;
    }

    /// <summary>Factor on the initial recurrent weights.</summary>
    public float RecurrentScale { get; }

    /// <summary>H·In + H·H + H.</summary>
    public override int ParameterCount => Hidden * (Inputs + Hidden + 1);

    /// <summary>The pre-activation z (H).</summary>
    public override int CacheWidth => Hidden;

    /// <summary>None.</summary>
    public override int ScratchWidth => 0;

    /// <summary>W (H, In).</summary>
    public BufferSlice InputWeight { get; private set; }

    /// <summary>U (H, H).</summary>
    public BufferSlice RecurrentWeight { get; private set; }

    /// <summary>b (H).</summary>
    public BufferSlice Bias { get; private set; }

    private BufferSlice _dW, _dU, _dB;

    /// <summary>W, U, b.</summary>
    /// <param name="parameters">This layer's slice of the parameter arena.</param>
    /// <param name="gradients">This layer's slice of the gradient arena.</param>
    protected override void OnBind(BufferSlice parameters, BufferSlice gradients)
    {
        int w = Hidden * Inputs, u = Hidden * Hidden;
        InputWeight = parameters.Slice(0, w);
        RecurrentWeight = parameters.Slice(w, u);
        Bias = parameters.Slice(w + u, Hidden);
        _dW = gradients.Slice(0, w);
        _dU = gradients.Slice(w, u);
        _dB = gradients.Slice(w + u, Hidden);
    }

    /// <summary>W Xavier-uniform, U Xavier-uniform times <see cref="RecurrentScale"/>, b = 0.</summary>
    /// <param name="parameters">Exactly <see cref="ParameterCount"/> floats.</param>
    /// <param name="random">The generator.</param>
    public override void Initialize(Span<float> parameters, SeededRandom random)
    {
        if (parameters.Length != ParameterCount) throw new ArgumentException($"parameters holds {parameters.Length} floats but the layer needs {ParameterCount}.", nameof(parameters));
        int w = Hidden * Inputs, u = Hidden * Hidden;
        WeightInitializer.Fill(parameters.Slice(0, w), WeightInit.XavierUniform, Inputs, Hidden, random);
        Span<float> recurrent = parameters.Slice(w, u);
        WeightInitializer.Fill(recurrent, WeightInit.XavierUniform, Hidden, Hidden, random);
        if (RecurrentScale != 1f)
        {
            for (int k = 0; k < recurrent.Length; k++) recurrent[k] *= RecurrentScale;
        }
        parameters.Slice(w + u).Clear();
    }

    // x (B, In), hPrev (B, H), z (B, H), hNext (B, H), W (H, In), U (H, H), b (H)

    /// <summary>z = x·Wᵀ + h·Uᵀ + b, h′ = tanh(z).</summary>
    /// <param name="backend">Where to run.</param>
    /// <param name="hNext">New state (B, H); may equal hPrev.</param>
    /// <param name="hPrev">Previous state (B, H).</param>
    /// <param name="x">Input (B, In).</param>
    /// <param name="cache">z (B, H).</param>
    /// <param name="scratch">Unused.</param>
    /// <param name="batch">B.</param>
    public override void Step(IBackend backend, BufferSlice hNext, BufferSlice hPrev, BufferSlice x, BufferSlice cache, BufferSlice scratch, int batch)
    {
        BufferSlice z = cache.Slice(0, batch * Hidden);
        backend.Gemm(z, x, InputWeight, batch, Hidden, Inputs, transposeA: false, transposeB: true, accumulate: false);     // z = x·Wᵀ
        backend.Gemm(z, hPrev, RecurrentWeight, batch, Hidden, Hidden, transposeA: false, transposeB: true, accumulate: true); // z += h·Uᵀ
        backend.BiasActivationForward(hNext, z, Bias, Activation.Tanh, batch, Hidden);                                        // z += b; h′ = tanh(z)
    }

    /// <summary>dz = (1 − h′²) ⊙ dh′, db += Σ dz, dW += dzᵀ·x, dU += dzᵀ·h, dx = dz·W, dh += dz·U.</summary>
    /// <param name="backend">Where to run.</param>
    /// <param name="dX">dL/dx (B, In), overwritten; empty to skip.</param>
    /// <param name="dHPrev">dL/dh (B, H), accumulated into.</param>
    /// <param name="dHNext">dL/dh′ (B, H); overwritten with dz.</param>
    /// <param name="hNext">h′ (B, H).</param>
    /// <param name="hPrev">h (B, H).</param>
    /// <param name="x">x (B, In).</param>
    /// <param name="cache">z (B, H).</param>
    /// <param name="scratch">Unused.</param>
    /// <param name="batch">B.</param>
    public override void StepBackward(IBackend backend, BufferSlice dX, BufferSlice dHPrev, BufferSlice dHNext, BufferSlice hNext, BufferSlice hPrev,
        BufferSlice x, BufferSlice cache, BufferSlice scratch, int batch)
    {
        BufferSlice z = cache.Slice(0, batch * Hidden), dZ = dHNext;
        backend.ActivationBackward(dZ, dHNext, z, hNext, Activation.Tanh, batch, Hidden);                                       // dz = tanh′(z) ⊙ dh′
        backend.ColumnSum(_dB, dZ, batch, Hidden, accumulate: true);                                                            // db += Σ dz
        backend.Gemm(_dW, dZ, x, Hidden, Inputs, batch, transposeA: true, transposeB: false, accumulate: true);                  // dW += dzᵀ·x
        backend.Gemm(_dU, dZ, hPrev, Hidden, Hidden, batch, transposeA: true, transposeB: false, accumulate: true);              // dU += dzᵀ·h
        if (!dX.IsEmpty) backend.Gemm(dX, dZ, InputWeight, batch, Inputs, Hidden, transposeA: false, transposeB: false, accumulate: false); // dx = dz·W
        backend.Gemm(dHPrev, dZ, RecurrentWeight, batch, Hidden, Hidden, transposeA: false, transposeB: false, accumulate: true); // dh += dz·U
    }

    /// <inheritdoc />
    public override string ToString() => $"ElmanRnn({Inputs} -> {Hidden})";
}
