using System;
using System.Collections.Generic;
using Cortex.Backends;
using Cortex.Tensors;

namespace Cortex.Layers;

/// <summary>
/// A fully connected layer with its activation: z = W y + b, y′ = f(z), on a batch. Weights are
/// (Out, In) — numerator layout, as in the notes — and live as slices of the brain's parameter arena;
/// gradients as slices of its gradient arena.
/// </summary>
public sealed class Dense : Layer
{
    /// <summary>Creates an unbound layer (a brain binds it to its arenas).</summary>
    /// <param name="inputs">In, at least 1.</param>
    /// <param name="outputs">Out, at least 1.</param>
    /// <param name="activation">f.</param>
    /// <param name="init">Weight initialisation scheme.</param>
    public Dense(int inputs, int outputs, Activation activation, WeightInit init = WeightInit.Auto) : base(inputs, outputs)
    {
        Activation = activation;
        Init = init;
    }

    /// <summary>f, applied after the affine map.</summary>
    public Activation Activation { get; }

    /// <summary>How the weights were (or will be) drawn.</summary>
    public WeightInit Init { get; }

    /// <summary>Out·In weights plus Out biases.</summary>
    public override int ParameterCount => Outputs * Inputs + Outputs;

    /// <inheritdoc />
    public override bool OutputIsPreActivation => Activation.Kind == ActivationKind.Linear;

    /// <summary>W (Out, In), a slice of the parameter arena.</summary>
    public BufferSlice Weight { get; private set; }

    /// <summary>b (Out).</summary>
    public BufferSlice Bias { get; private set; }

    /// <summary>dW (Out, In), a slice of the gradient arena; backward accumulates into it.</summary>
    public BufferSlice WeightGradient { get; private set; }

    /// <summary>db (Out).</summary>
    public BufferSlice BiasGradient { get; private set; }

    /// <summary>W first, then b.</summary>
    /// <param name="parameters">This layer's slice of the parameter arena.</param>
    /// <param name="gradients">This layer's slice of the gradient arena.</param>
    protected override void OnBind(BufferSlice parameters, BufferSlice gradients)
    {
        int w = Outputs * Inputs;
        Weight = parameters.Slice(0, w);
        Bias = parameters.Slice(w, Outputs);
        WeightGradient = gradients.Slice(0, w);
        BiasGradient = gradients.Slice(w, Outputs);
    }

    /// <summary>W from <see cref="Init"/> (resolved for the activation), b = 0.</summary>
    /// <param name="parameters">Exactly <see cref="ParameterCount"/> floats: W (Out, In), then b (Out).</param>
    /// <param name="random">The brain's generator.</param>
    public override void Initialize(Span<float> parameters, SeededRandom random)
    {
        if (parameters.Length != ParameterCount) throw new ArgumentException($"parameters holds {parameters.Length} floats but the layer needs {ParameterCount}.", nameof(parameters));
        WeightInit init = WeightInitializer.Resolve(Init, Activation);
        WeightInitializer.Fill(parameters.Slice(0, Outputs * Inputs), init, Inputs, Outputs, random);
        parameters.Slice(Outputs * Inputs).Clear();
    }

    // x (B, In), w (Out, In), b (Out), z (B, Out), y (B, Out)

    /// <summary>z = x·Wᵀ + b, y = f(z). y may be the same slice as z (linear layers; inference, in place).</summary>
    /// <param name="backend">Where to run.</param>
    /// <param name="y">Output (B, Out).</param>
    /// <param name="z">Pre-activation (B, Out), kept for the backward pass.</param>
    /// <param name="x">Input (B, In).</param>
    /// <param name="batch">B.</param>
    public override void Forward(IBackend backend, BufferSlice y, BufferSlice z, BufferSlice x, int batch)
    {
        backend.DenseForward(y, z, x, Weight, Bias, Activation, batch, Outputs, Inputs);   // z = x·Wᵀ + b; y = f(z)
    }

    /// <summary>
    /// Backpropagates through the layer without forming a Jacobian: dZ = f′(z) ⊙ dY (skipped when
    /// <paramref name="gradientIsPreActivation"/>), db += Σ_rows dZ, dW += dZᵀ·x, dX = dZ·W.
    /// </summary>
    /// <param name="backend">Where to run.</param>
    /// <param name="dX">Gradient with respect to x (B, In), overwritten; empty to skip (first layer).</param>
    /// <param name="dY">Gradient with respect to y (B, Out); overwritten with dZ.</param>
    /// <param name="z">Forward pre-activation.</param>
    /// <param name="y">Forward output.</param>
    /// <param name="x">Forward input.</param>
    /// <param name="batch">B.</param>
    /// <param name="gradientIsPreActivation">dY already holds dZ (a fused loss computed it).</param>
    public override void Backward(IBackend backend, BufferSlice dX, BufferSlice dY, BufferSlice z, BufferSlice y, BufferSlice x, int batch,
        bool gradientIsPreActivation = false)
    {
        BufferSlice dZ = dY;
        if (!gradientIsPreActivation) backend.ActivationBackward(dZ, dY, z, y, Activation, batch, Outputs);          // dZ = f′(z) ⊙ dY
        backend.ColumnSum(BiasGradient, dZ, batch, Outputs, accumulate: true);                                      // db += Σ_rows dZ
        backend.Gemm(WeightGradient, dZ, x, Outputs, Inputs, batch, transposeA: true, transposeB: false, accumulate: true); // dW += dZᵀ·x
        if (!dX.IsEmpty) backend.Gemm(dX, dZ, Weight, batch, Inputs, Outputs, transposeA: false, transposeB: false, accumulate: false); // dX = dZ·W
    }

    /// <summary>W's rows are what the forward product z = x·Wᵀ splits across threads; b is a vector.</summary>
    internal override void DescribeArena(List<ArenaBlock> blocks, int offset, int maxBatch)
    {
        blocks.Add(new ArenaBlock(offset, Outputs, Inputs, 2.0 * maxBatch * Outputs * Inputs));
        blocks.Add(new ArenaBlock(offset + Outputs * Inputs, Outputs, 1, 0));
    }

    /// <inheritdoc />
    public override string ToString() => $"Dense({Inputs} -> {Outputs}, {Activation})";
}
