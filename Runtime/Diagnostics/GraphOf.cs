using System;
using Cortex.Autodiff;

namespace Cortex.Diagnostics;

/// <summary>
/// Cortex's activations, losses and dense networks written as <see cref="Cortex.Autodiff"/> graphs, from the
/// engine's own primitives: the oracle side of <see cref="GradientCheck"/>. Nothing here calls a kernel.
/// </summary>
internal static class GraphOf
{
    /// <summary>The graph of an activation applied to a node.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="activation">The function.</param>
    /// <param name="z">Its input.</param>
    public static Node Activation(Graph g, Activation activation, Node z) => activation.Kind switch
    {
        ActivationKind.Linear => z,
        ActivationKind.BinaryStep => g.BinaryStep(z),
        ActivationKind.Sigmoid => g.Sigmoid(z),
        ActivationKind.Tanh => g.Tanh(z),
        ActivationKind.Relu => g.Relu(z),
        ActivationKind.Softplus => g.Softplus(z),
        ActivationKind.LeakyRelu => g.LeakyRelu(z, activation.Alpha),
        ActivationKind.Elu => g.Elu(z, activation.Alpha),
        ActivationKind.Swish => g.Mul(z, g.Sigmoid(z)),                // composed: x·σ(x)
        ActivationKind.Softmax => g.Softmax(z),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation.Kind, "Unknown activation."),
    };

    /// <summary>The graph of a loss, the mean over <paramref name="rows"/> rows.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="z">Pre-activation of the output layer (read by fused losses).</param>
    /// <param name="y">Output of the output layer (read by the others).</param>
    /// <param name="c">Targets.</param>
    /// <param name="rows">Batch size.</param>
    public static Node Loss(Graph g, Loss loss, Node z, Node y, Node c, int rows)
    {
        switch (loss.Kind)
        {
            case LossKind.MeanSquaredError:
                return g.Mean(g.Square(y - c));
            case LossKind.SoftmaxCrossEntropy:
                return g.Neg(g.Sum(g.Mul(c, g.LogSoftmax(z)))) / rows;
            case LossKind.BinaryCrossEntropy:
                return g.Mean(g.Softplus(z) - g.Mul(c, z));
            case LossKind.Hinge:
                if (y.Cols == 1)
                {
                    Node sign = c * 2.0 - 1.0;
                    return g.Mean(g.Max(g.Constant(0), 1.0 - g.Mul(sign, y)));
                }
                // Σ_k max(0, 1 + y_k − y_t) counts the true class once with value 1 per row; remove it.
                Node truth = g.RowSums(g.Mul(y, c));
                return (g.Sum(g.Max(g.Constant(0), 1.0 + y - truth)) - rows) / rows;
            case LossKind.Huber:
                Node a = g.Abs(y - c);
                Node m = g.Neg(g.Max(g.Neg(a), g.Constant(-loss.Delta)));   // min(|r|, δ)
                return g.Mean(0.5 * g.Square(m) + loss.Delta * (a - m));
            default:
                throw new ArgumentOutOfRangeException(nameof(loss), loss.Kind, "Unknown loss.");
        }
    }

    /// <summary>
    /// The mean loss of a dense network as a function of its parameters, one variable per W (Out, In) and b (1, Out)
    /// in layer order (the layout of <see cref="Cortex.Brain.CopyParametersTo"/>).
    /// </summary>
    /// <param name="spec">Architecture and loss.</param>
    /// <param name="x">Inputs (batch, Inputs).</param>
    /// <param name="c">Targets (batch, Outputs).</param>
    /// <param name="batch">Rows.</param>
    public static Func<Graph, Node[], Node> Network(BrainSpec spec, Matrix x, Matrix c, int batch) => (g, p) =>
    {
        Node h = g.Constant(x), z = h;
        for (int l = 0; l < spec.Layers.Count; l++)
        {
            z = g.MatMul(h, g.Transpose(p[2 * l])) + p[2 * l + 1];   // z = x·Wᵀ + b
            h = Activation(g, spec.Layers[l].Activation, z);
        }
        return Loss(g, spec.Loss, z, h, g.Constant(c), batch);
    };
}
