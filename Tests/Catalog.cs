using System;

namespace Cortex.Tests;

/// <summary>The activations and losses every exhaustive test walks through.</summary>
internal static class Catalog
{
    /// <summary>Every activation kind with its default parameter.</summary>
    public static readonly Activation[] Activations =
    {
        Activation.Linear, Activation.BinaryStep, Activation.Sigmoid, Activation.Tanh, Activation.Relu, Activation.Softplus,
        Activation.LeakyRelu, Activation.Elu, Activation.Softmax,
    };

    /// <summary><see cref="Activations"/> plus non-default parameters.</summary>
    public static readonly Activation[] ActivationsWithParameters =
    {
        Activation.Linear, Activation.BinaryStep, Activation.Sigmoid, Activation.Tanh, Activation.Relu, Activation.Softplus,
        Activation.LeakyRelu, Activation.LeakyReluWithSlope(0.2f), Activation.Elu, Activation.EluWithAlpha(0.5f), Activation.Softmax,
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
}
