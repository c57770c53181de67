using System;
using Cortex.Backends;
using Cortex.Diagnostics;

namespace Cortex.Tests;

/// <summary>The activations and losses every exhaustive test walks through.</summary>
internal static class Catalog
{
    /// <summary>Every activation kind with its default parameter.</summary>
    public static readonly Activation[] Activations =
    {
        Activation.Linear, Activation.BinaryStep, Activation.Sigmoid, Activation.Tanh, Activation.Relu, Activation.Softplus,
        Activation.LeakyRelu, Activation.Elu, Activation.Softmax, Activation.Swish,
    };

    /// <summary><see cref="Activations"/> plus non-default parameters.</summary>
    public static readonly Activation[] ActivationsWithParameters =
    {
        Activation.Linear, Activation.BinaryStep, Activation.Sigmoid, Activation.Tanh, Activation.Relu, Activation.Softplus,
        Activation.LeakyRelu, Activation.LeakyReluWithSlope(0.2f), Activation.Elu, Activation.EluWithAlpha(0.5f), Activation.Softmax,
        Activation.Swish,
    };

    /// <summary>Every loss with its default parameter.</summary>
    public static readonly Loss[] Losses = { Loss.MeanSquaredError, Loss.SoftmaxCrossEntropy, Loss.BinaryCrossEntropy, Loss.Hinge, Loss.Huber };

    /// <summary><see cref="Losses"/> plus a non-default Huber δ.</summary>
    public static readonly Loss[] LossesWithParameters = { Loss.MeanSquaredError, Loss.SoftmaxCrossEntropy, Loss.BinaryCrossEntropy, Loss.Hinge, Loss.Huber, Loss.HuberWithDelta(0.3f) };

    /// <summary>The output layer a test network uses with a loss: the fused activation, else the activation under test.</summary>
    public static Activation OutputFor(Loss loss, Activation activation) => loss.RequiredOutputActivation ?? activation;

    /// <summary>Output width for a test of a given size: softmax rows need at least 2.</summary>
    public static int OutputsFor(Loss loss, Activation output, int size) =>
        loss.Kind == LossKind.SoftmaxCrossEntropy || output.IsRowWise ? Math.Max(2, size) : size;

    /// <summary>
    /// The two-layer network the gradient checks use: size inputs → size units of the activation under
    /// test → the loss's output layer, with random weights AND biases (biases start at 0, which would put
    /// units exactly on kinks such as step(0)), random inputs and valid targets, batch = size.
    /// </summary>
    public static (Brain Brain, float[] Inputs, float[] Targets) CheckNetwork(Activation activation, Loss loss, int size, ulong seed, IBackend? backend = null)
    {
        Activation output = OutputFor(loss, activation);
        int outputs = OutputsFor(loss, output, size);
        BrainBuilder builder = Brain.Create(size).Dense(size, activation).Dense(outputs, output).Loss(loss)
            .Optimizer(Optimizer.GradientDescent(0.1f)).MaxBatch(size);
        if (backend is not null) builder.Backend(backend);
        Brain brain = builder.Build(seed);
        var random = new SeededRandom(seed + 99);
        float[] theta = new float[brain.ParameterCount];
        for (int i = 0; i < theta.Length; i++) theta[i] = random.NextFloat(-1f, 1f);
        brain.SetParameters(theta);
        float[] inputs = new float[size * size], targets = new float[size * outputs];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = random.NextFloat(-1.5f, 1.5f);
        GradientCheck.MakeTargets(loss, targets, size, outputs, random);
        return (brain, inputs, targets);
    }
}
