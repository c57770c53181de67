using System.Collections.Generic;
using Cortex.Backends;
using Cortex.Tensors;

namespace Cortex.Layers;

/// <summary>
/// One layer of a brain: the one place its math lives. Forward and Backward are written once against
/// <see cref="IBackend"/> and run on every backend; a brain binds the layer to its slices of the parameter and
/// gradient arenas and hands it workspace slices. Backward accumulates into the parameter gradients.
/// </summary>
public abstract class Layer
{
    /// <summary>Creates a layer of the given widths.</summary>
    /// <param name="inputs">In, at least 1.</param>
    /// <param name="outputs">Out, at least 1.</param>
    protected Layer(int inputs, int outputs)
    {
        if (inputs < 1) throw new System.ArgumentOutOfRangeException(nameof(inputs), inputs, "A layer needs at least one input.");
        if (outputs < 1) throw new System.ArgumentOutOfRangeException(nameof(outputs), outputs, "A layer needs at least one output.");
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>In: values per input row.</summary>
    public int Inputs { get; }

    /// <summary>Out: values per output row.</summary>
    public int Outputs { get; }

    /// <summary>Floats this layer owns in the parameter arena (and, the same layout, in the gradient arena).</summary>
    public abstract int ParameterCount { get; }

    /// <summary>True when the output y is the pre-activation z itself (a linear layer), so a brain keeps one slice for both.</summary>
    public abstract bool OutputIsPreActivation { get; }

    /// <summary>This layer's slice of the parameter arena (after <see cref="Bind"/>).</summary>
    public BufferSlice Parameters { get; private set; }

    /// <summary>This layer's slice of the gradient arena (after <see cref="Bind"/>).</summary>
    public BufferSlice Gradients { get; private set; }

    /// <summary>Binds the layer to its <see cref="ParameterCount"/> floats of the parameter and gradient arenas.</summary>
    /// <param name="parameters">This layer's slice of the parameter arena.</param>
    /// <param name="gradients">This layer's slice of the gradient arena.</param>
    public void Bind(BufferSlice parameters, BufferSlice gradients)
    {
        if (parameters.Length != ParameterCount) throw new System.ArgumentException($"parameters holds {parameters.Length} floats but the layer needs {ParameterCount}.", nameof(parameters));
        if (gradients.Length != ParameterCount) throw new System.ArgumentException($"gradients holds {gradients.Length} floats but the layer needs {ParameterCount}.", nameof(gradients));
        Parameters = parameters;
        Gradients = gradients;
        OnBind(parameters, gradients);
    }

    /// <summary>Takes the layer's named slices (weights, biases, their gradients) out of its validated arena slices.</summary>
    /// <param name="parameters">Exactly <see cref="ParameterCount"/> floats of the parameter arena.</param>
    /// <param name="gradients">The same range of the gradient arena.</param>
    protected abstract void OnBind(BufferSlice parameters, BufferSlice gradients);

    /// <summary>Draws the layer's initial parameters into <paramref name="parameters"/> (laid out as in the arena).</summary>
    /// <param name="parameters">Exactly <see cref="ParameterCount"/> floats.</param>
    /// <param name="random">The brain's generator.</param>
    public abstract void Initialize(System.Span<float> parameters, SeededRandom random);

    /// <summary>
    /// y (B, Out) from x (B, In), keeping the pre-activation z (B, Out) for <see cref="Backward"/>. y may be the same
    /// slice as z: always when <see cref="OutputIsPreActivation"/>, and for inference, where z is then only scratch and
    /// the output replaces it in place (no backward pass can follow).
    /// </summary>
    /// <param name="backend">Where to run.</param>
    /// <param name="y">Output.</param>
    /// <param name="z">Pre-activation.</param>
    /// <param name="x">Input.</param>
    /// <param name="batch">B.</param>
    public abstract void Forward(IBackend backend, BufferSlice y, BufferSlice z, BufferSlice x, int batch);

    /// <summary>
    /// Backpropagates dY (B, Out) through the layer: accumulates the parameter gradients and writes dX (B, In).
    /// </summary>
    /// <param name="backend">Where to run.</param>
    /// <param name="dX">Gradient with respect to x, overwritten; empty to skip (first layer).</param>
    /// <param name="dY">Gradient with respect to y; may be overwritten (scratch).</param>
    /// <param name="z">Forward pre-activation.</param>
    /// <param name="y">Forward output.</param>
    /// <param name="x">Forward input.</param>
    /// <param name="batch">B.</param>
    /// <param name="gradientIsPreActivation">dY already holds dL/dz (a fused loss computed it).</param>
    public abstract void Backward(IBackend backend, BufferSlice dX, BufferSlice dY, BufferSlice z, BufferSlice y, BufferSlice x, int batch,
        bool gradientIsPreActivation = false);

    /// <summary>The layer's matrices in the arena, for a backend that splits arena-wide passes by which core reads which rows.</summary>
    /// <param name="blocks">Where to add them.</param>
    /// <param name="offset">The layer's first float in the arena.</param>
    /// <param name="maxBatch">The brain's largest batch (the cost of the largest product).</param>
    internal abstract void DescribeArena(List<ArenaBlock> blocks, int offset, int maxBatch);
}
