using Cortex.Tensors;

namespace Cortex.Backends;

/// <summary>One dense layer of a fused forward pass: y = f(x·Wᵀ + b).</summary>
/// <param name="Weight">W (Outputs, Inputs).</param>
/// <param name="Bias">b (Outputs).</param>
/// <param name="Inputs">Input width.</param>
/// <param name="Outputs">Output width.</param>
/// <param name="Activation">f.</param>
internal readonly record struct FusedLayer(BufferSlice Weight, BufferSlice Bias, int Inputs, int Outputs, Activation Activation);
