namespace Cortex.Kernels;

/// <summary>One dense layer of a <see cref="DenseChain"/>: y = f(x·Wᵀ + b), with W and b in the chain's parameter array.</summary>
/// <param name="WeightOffset">First float of W (Outputs, Inputs), row-major.</param>
/// <param name="BiasOffset">First float of b (Outputs).</param>
/// <param name="Inputs">Input width.</param>
/// <param name="Outputs">Output width.</param>
/// <param name="Activation">f (not softmax).</param>
internal readonly record struct DenseChainLayer(int WeightOffset, int BiasOffset, int Inputs, int Outputs, Activation Activation);
