using System;
using System.Collections.Generic;
using Cortex.Autodiff;
using Cortex.Kernels;

namespace Cortex.Diagnostics;

/// <summary>
/// The outcome of a three-way check: the hand-written backward against the autodiff engine's
/// reverse mode (adjoints) and forward mode (dual numbers), and against central finite differences.
/// </summary>
public sealed class ThreeWayReport
{
    internal ThreeWayReport(string subject, GradientCheckReport reverse, GradientCheckReport forward, GradientCheckReport finiteDifferences)
    {
        Subject = subject;
        AgainstReverse = reverse;
        AgainstForward = forward;
        AgainstFiniteDifferences = finiteDifferences;
    }

    /// <summary>What was checked.</summary>
    public string Subject { get; }

    /// <summary>Hand-written versus reverse mode.</summary>
    public GradientCheckReport AgainstReverse { get; }

    /// <summary>Hand-written versus forward mode.</summary>
    public GradientCheckReport AgainstForward { get; }

    /// <summary>Hand-written versus central finite differences (points at kinks skipped, see <see cref="GradientCheckReport.Skipped"/>).</summary>
    public GradientCheckReport AgainstFiniteDifferences { get; }

    /// <summary>True when all three agree with the hand-written gradient.</summary>
    public bool Passed => AgainstReverse.Passed && AgainstForward.Passed && AgainstFiniteDifferences.Passed;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Subject}: {(Passed ? "passed" : "FAILED")}\n  reverse: {AgainstReverse}\n  forward: {AgainstForward}\n  finite differences: {AgainstFiniteDifferences}";
}

/// <summary>
/// Checks hand-written backward passes three ways with the <see cref="Cortex.Autodiff"/> engine as
/// the oracle: the network (or activation, or loss) is rebuilt as a computational graph in double,
/// differentiated in reverse mode and in forward mode, and compared with the hand-written gradient;
/// <see cref="GradientCheck"/> adds the finite differences.
/// </summary>
public static class ThreeWayCheck
{
    /// <summary>A brain's own backward (on its backend) against reverse mode, forward mode and finite differences.</summary>
    /// <param name="brain">The brain; its accumulated gradients are cleared, its weights unchanged.</param>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="targets">(batch, Outputs).</param>
    /// <param name="batch">Rows.</param>
    /// <param name="tolerance">Tolerances; <see cref="GradientTolerance.Float"/> when null.</param>
    public static ThreeWayReport Brain(Brain brain, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch, GradientTolerance? tolerance = null)
    {
        if (brain is null) throw new ArgumentNullException(nameof(brain));
        float[] parameters = new float[brain.ParameterCount], gradient = new float[brain.ParameterCount];
        brain.CopyParametersTo(parameters);
        brain.ZeroGradients();
        brain.AccumulateGradients(inputs, targets, batch);
        brain.CopyGradientsTo(gradient);
        brain.ZeroGradients();
        GradientCheckReport fd = GradientCheck.Brain(brain, inputs, targets, batch, tolerance);
        return Network(brain.Spec, parameters, gradient, inputs, targets, batch, fd, tolerance);
    }

    /// <summary>
    /// A gradient computed by any hand-written backward for a network described by <paramref name="spec"/>
    /// at <paramref name="parameters"/> (the layout of <see cref="Cortex.Brain.CopyParametersTo"/>) against
    /// reverse mode, forward mode and finite differences — the way to check a layer implementation of your own.
    /// </summary>
    /// <param name="spec">Architecture and loss.</param>
    /// <param name="parameters">Θ.</param>
    /// <param name="handWritten">The gradient to check, same layout.</param>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="targets">(batch, Outputs).</param>
    /// <param name="batch">Rows.</param>
    /// <param name="tolerance">Tolerances; <see cref="GradientTolerance.Float"/> when null.</param>
    public static ThreeWayReport Network(BrainSpec spec, ReadOnlySpan<float> parameters, ReadOnlySpan<float> handWritten,
        ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch, GradientTolerance? tolerance = null)
    {
        if (spec is null) throw new ArgumentNullException(nameof(spec));
        double[] theta = ToDouble(parameters), x = ToDouble(inputs.Slice(0, batch * spec.Inputs)), c = ToDouble(targets.Slice(0, batch * spec.Outputs));
        var fd = new GradientCheckReport(spec.ToString(), tolerance ?? GradientTolerance.Float);
        double center = GradientCheck.ReferenceLoss(spec, theta, x, c, batch);
        for (int i = 0; i < theta.Length; i++)
        {
            fd.Add($"parameter {i}", handWritten[i], GradientCheck.Central(theta, i, center, () => GradientCheck.ReferenceLoss(spec, theta, x, c, batch)));
        }
        return Network(spec, parameters, handWritten.ToArray(), inputs, targets, batch, fd, tolerance);
    }

    /// <summary>An activation's backward kernel (dZ = f′(z) ⊙ dY) three ways, on seeded z in [−range, range].</summary>
    /// <param name="activation">The function.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="columns">Columns.</param>
    /// <param name="seed">Seed for z and dY.</param>
    /// <param name="range">Half-width of the range of z.</param>
    /// <param name="tolerance">Tolerances; <see cref="GradientTolerance.Float"/> when null.</param>
    public static ThreeWayReport Activation(Activation activation, int rows, int columns, ulong seed, float range = 3f, GradientTolerance? tolerance = null)
    {
        var random = new SeededRandom(seed);
        int n = rows * columns;
        float[] z = new float[n], y = new float[n], dY = new float[n], dZ = new float[n];
        for (int i = 0; i < n; i++) { z[i] = random.NextFloat(-range, range); dY[i] = random.NextFloat(-1f, 1f); }
        ActivationKernels.BiasActivationForward(y, (float[])z.Clone(), default, activation, rows, columns);
        ActivationKernels.Backward(dZ, dY, z, y, activation, rows, columns);
        var upstream = new Matrix(ToDouble(dY), rows, columns);
        Node Function(Graph g, Node[] p) => g.Sum(g.Mul(Apply(g, activation, p[0]), g.Constant(upstream)));
        GradientCheckReport fd = GradientCheck.Activation(activation, rows, columns, seed, range, tolerance);
        return Compare($"{activation} ({rows}, {columns})", Function, new[] { new Matrix(ToDouble(z), rows, columns) }, dZ, fd, tolerance);
    }

    /// <summary>A loss's backward kernel three ways (with respect to y, or z for fused losses), on seeded values and valid targets.</summary>
    /// <param name="loss">The loss.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="columns">Columns.</param>
    /// <param name="seed">Seed.</param>
    /// <param name="tolerance">Tolerances; <see cref="GradientTolerance.Float"/> when null.</param>
    public static ThreeWayReport Loss(Loss loss, int rows, int columns, ulong seed, GradientTolerance? tolerance = null)
    {
        var random = new SeededRandom(seed);
        int n = rows * columns;
        float[] input = new float[n], target = new float[n], y = new float[n], gradient = new float[n];
        for (int i = 0; i < n; i++) input[i] = random.NextFloat(-2f, 2f);
        GradientCheck.MakeTargets(loss, target, rows, columns, random);
        Activation output = loss.RequiredOutputActivation ?? Cortex.Activation.Linear;
        float[] z = (float[])input.Clone();
        ActivationKernels.BiasActivationForward(y, z, default, output, rows, columns);
        LossKernels.Backward(gradient, loss, y, z, target, rows, columns);
        var c = new Matrix(ToDouble(target), rows, columns);
        // The fused losses are functions of z; the others of y.
        Node Function(Graph g, Node[] p) => LossNode(g, loss, p[0], Apply(g, output, p[0]), g.Constant(c), rows);
        GradientCheckReport fd = GradientCheck.Loss(loss, rows, columns, seed, tolerance);
        return Compare($"{loss} ({rows}, {columns})", Function, new[] { new Matrix(ToDouble(input), rows, columns) }, gradient, fd, tolerance);
    }

    /// <summary>The graph of an activation applied to a node.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="activation">The function.</param>
    /// <param name="z">Its input.</param>
    public static Node Apply(Graph g, Activation activation, Node z)
    {
        if (g is null) throw new ArgumentNullException(nameof(g));
        return activation.Kind switch
        {
            ActivationKind.Linear => z,
            ActivationKind.BinaryStep => g.BinaryStep(z),
            ActivationKind.Sigmoid => g.Sigmoid(z),
            ActivationKind.Tanh => g.Tanh(z),
            ActivationKind.Relu => g.Relu(z),
            ActivationKind.Softplus => g.Softplus(z),
            ActivationKind.LeakyRelu => g.LeakyRelu(z, activation.Alpha),
            ActivationKind.Elu => g.Elu(z, activation.Alpha),
            ActivationKind.Softmax => g.Softmax(z),
            _ => throw new ArgumentOutOfRangeException(nameof(activation), activation.Kind, "Unknown activation."),
        };
    }

    /// <summary>The graph of a loss, the mean over <paramref name="rows"/> rows.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="z">Pre-activation of the output layer (read by fused losses).</param>
    /// <param name="y">Output of the output layer (read by the others).</param>
    /// <param name="c">Targets.</param>
    /// <param name="rows">Batch size.</param>
    public static Node LossNode(Graph g, Loss loss, Node z, Node y, Node c, int rows)
    {
        if (g is null) throw new ArgumentNullException(nameof(g));
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

    private static ThreeWayReport Network(BrainSpec spec, ReadOnlySpan<float> parameters, float[] handWritten, ReadOnlySpan<float> inputs,
        ReadOnlySpan<float> targets, int batch, GradientCheckReport fd, GradientTolerance? tolerance)
    {
        var points = new List<Matrix>();
        int offset = 0, fanIn = spec.Inputs;
        foreach (LayerSpec layer in spec.Layers)
        {
            int o = layer.Outputs;
            points.Add(new Matrix(ToDouble(parameters.Slice(offset, o * fanIn)), o, fanIn));
            points.Add(new Matrix(ToDouble(parameters.Slice(offset + o * fanIn, o)), 1, o));
            offset += o * fanIn + o;
            fanIn = o;
        }
        var x = new Matrix(ToDouble(inputs.Slice(0, batch * spec.Inputs)), batch, spec.Inputs);
        var c = new Matrix(ToDouble(targets.Slice(0, batch * spec.Outputs)), batch, spec.Outputs);
        Node Function(Graph g, Node[] p)
        {
            Node h = g.Constant(x), z = h;
            for (int l = 0; l < spec.Layers.Count; l++)
            {
                z = g.MatMul(h, g.Transpose(p[2 * l])) + p[2 * l + 1];   // z = x·Wᵀ + b
                h = Apply(g, spec.Layers[l].Activation, z);
            }
            return LossNode(g, spec.Loss, z, h, g.Constant(c), batch);
        }
        return Compare(spec.ToString(), Function, points.ToArray(), handWritten, fd, tolerance);
    }

    private static ThreeWayReport Compare(string subject, Func<Graph, Node[], Node> function, Matrix[] points, float[] handWritten,
        GradientCheckReport fd, GradientTolerance? tolerance)
    {
        GradientTolerance tol = tolerance ?? GradientTolerance.Float;
        Matrix[] reverse = Derivatives.Gradient(function, points);
        Matrix forward = Derivatives.JacobianForward(function, points).Jacobian;
        var againstReverse = new GradientCheckReport(subject, tol);
        var againstForward = new GradientCheckReport(subject, tol);
        int index = 0;
        for (int m = 0; m < reverse.Length; m++)
        {
            for (int e = 0; e < reverse[m].Length; e++, index++)
            {
                string where = $"input {m} [{e / reverse[m].Cols},{e % reverse[m].Cols}]";
                againstReverse.Add(where, handWritten[index], reverse[m][e]);
                againstForward.Add(where, handWritten[index], forward[0, index]);
            }
        }
        return new ThreeWayReport(subject, againstReverse, againstForward, fd);
    }


    private static double[] ToDouble(ReadOnlySpan<float> values)
    {
        double[] d = new double[values.Length];
        for (int i = 0; i < d.Length; i++) d[i] = values[i];
        return d;
    }
}
