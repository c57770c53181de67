using System;
using System.Collections.Generic;
using Cortex.Autodiff;
using Cortex.Kernels;

namespace Cortex.Diagnostics;

/// <summary>
/// The one gradient check: a hand-written gradient (a brain's backward on its backend, an activation or loss
/// kernel, or any gradient you computed yourself) against three references — the autodiff engine's reverse mode
/// and forward mode, and central finite differences — reported side by side in one <see cref="GradientCheckReport"/>.
/// </summary>
/// <remarks>
/// The autodiff engine (<see cref="Cortex.Autodiff"/>) is the independent oracle: it has its own local-derivative
/// rules, depends on nothing else in Cortex and shares no code with the kernels, so a wrong kernel derivative
/// cannot pass by being copied. <see cref="GraphOf"/> rebuilds the thing under test from the engine's primitives.
/// The finite differences use the double definitions (<c>ActivationFunctions</c>, <see cref="Loss.Reference"/>,
/// z = W y + b in double) or, for <see cref="Function"/>, the graph's own value, and check the engine in turn.
/// </remarks>
public static class GradientCheck
{
    /// <summary>Step of the central differences, relative: h = Step · max(1, |x|).</summary>
    public const double Step = 1e-5;

    /// <summary>
    /// Every weight and bias derivative of a brain on a batch: the brain's own backward (on its backend) against
    /// reverse mode, forward mode and finite differences of a double-precision replay of the same network and
    /// loss. The brain's accumulated gradients are cleared; its weights are unchanged.
    /// </summary>
    /// <param name="brain">The brain; its backend computes the hand-written gradients.</param>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="targets">(batch, Outputs).</param>
    /// <param name="batch">Rows.</param>
    /// <param name="tolerance">Tolerances; <see cref="GradientTolerance.Float"/> when null.</param>
    public static GradientCheckReport Brain(Brain brain, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch,
        GradientTolerance? tolerance = null)
    {
        if (brain is null) throw new ArgumentNullException(nameof(brain));
        float[] parameters = new float[brain.ParameterCount], gradient = new float[brain.ParameterCount];
        brain.CopyParametersTo(parameters);
        brain.ZeroGradients();
        brain.AccumulateGradients(inputs, targets, batch);
        brain.CopyGradientsTo(gradient);
        brain.ZeroGradients();
        return Network(brain.Spec, parameters, gradient, inputs, targets, batch, tolerance);
    }

    /// <summary>
    /// A gradient computed by any hand-written backward for a network described by <paramref name="spec"/> at
    /// <paramref name="parameters"/> (the layout of <see cref="Cortex.Brain.CopyParametersTo"/>) — the way to check
    /// a layer implementation of your own.
    /// </summary>
    /// <param name="spec">Architecture and loss.</param>
    /// <param name="parameters">θ.</param>
    /// <param name="handWritten">The gradient to check, same layout.</param>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="targets">(batch, Outputs).</param>
    /// <param name="batch">Rows.</param>
    /// <param name="tolerance">Tolerances; <see cref="GradientTolerance.Float"/> when null.</param>
    public static GradientCheckReport Network(BrainSpec spec, ReadOnlySpan<float> parameters, ReadOnlySpan<float> handWritten,
        ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch, GradientTolerance? tolerance = null)
    {
        if (spec is null) throw new ArgumentNullException(nameof(spec));
        GradientTolerance tol = (tolerance ?? GradientTolerance.Float).Validated();
        if (parameters.Length != spec.ParameterCount) throw new ArgumentException($"parameters has {parameters.Length} values but the network has {spec.ParameterCount}.", nameof(parameters));
        if (handWritten.Length != spec.ParameterCount) throw new ArgumentException($"handWritten has {handWritten.Length} values but the network has {spec.ParameterCount}.", nameof(handWritten));
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch must be positive.");
        if (inputs.Length < batch * spec.Inputs) throw new ArgumentException($"inputs has {inputs.Length} values but {batch} rows of {spec.Inputs} need {batch * spec.Inputs}.", nameof(inputs));
        if (targets.Length < batch * spec.Outputs) throw new ArgumentException($"targets has {targets.Length} values but {batch} rows of {spec.Outputs} need {batch * spec.Outputs}.", nameof(targets));

        double[] theta = ToDouble(parameters), x = ToDouble(inputs.Slice(0, batch * spec.Inputs)), c = ToDouble(targets.Slice(0, batch * spec.Outputs));
        double[] fd = new double[theta.Length];
        bool[] smooth = new bool[theta.Length];
        double center = ReferenceLoss(spec, theta, x, c, batch);
        for (int i = 0; i < theta.Length; i++)
        {
            (fd[i], smooth[i]) = Central(theta, i, center, () => ReferenceLoss(spec, theta, x, c, batch));
        }

        var points = new List<Matrix>();
        var names = new List<string>();
        int offset = 0, fanIn = spec.Inputs;
        for (int l = 0; l < spec.Layers.Count; l++)
        {
            int o = spec.Layers[l].Outputs;
            points.Add(new Matrix(theta.AsSpan(offset, o * fanIn), o, fanIn));
            points.Add(new Matrix(theta.AsSpan(offset + o * fanIn, o), 1, o));
            for (int p = 0; p < o * fanIn + o; p++) names.Add(p < o * fanIn ? $"layer {l} W[{p / fanIn},{p % fanIn}]" : $"layer {l} b[{p - o * fanIn}]");
            offset += o * fanIn + o;
            fanIn = o;
        }
        Func<Graph, Node[], Node> function = GraphOf.Network(spec, new Matrix(x, batch, spec.Inputs), new Matrix(c, batch, spec.Outputs), batch);
        (double[] reverse, double[] forward) = Autodiff(function, points.ToArray());
        return new GradientCheckReport(spec.ToString(), tol, ToDouble(handWritten), reverse, forward, fd, smooth, i => names[i]);
    }

    /// <summary>
    /// An activation's backward kernel (dZ = f′(z) ⊙ dY) against the derivatives of Σ dY·f(z), on seeded values
    /// in [−<paramref name="range"/>, <paramref name="range"/>].
    /// </summary>
    /// <param name="activation">The function.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="columns">Columns.</param>
    /// <param name="seed">Seed for z and dY.</param>
    /// <param name="range">Half-width of the range of z.</param>
    /// <param name="tolerance">Tolerances; <see cref="GradientTolerance.Float"/> when null.</param>
    public static GradientCheckReport Activation(Activation activation, int rows, int columns, ulong seed, float range = 3f,
        GradientTolerance? tolerance = null)
    {
        GradientTolerance tol = (tolerance ?? GradientTolerance.Float).Validated();
        var random = new SeededRandom(seed);
        int n = rows * columns;
        float[] z = new float[n], y = new float[n], dY = new float[n], dZ = new float[n];
        for (int i = 0; i < n; i++) { z[i] = random.NextFloat(-range, range); dY[i] = random.NextFloat(-1f, 1f); }
        ActivationKernels.BiasActivationForward(y, (float[])z.Clone(), default, activation, rows, columns);
        ActivationKernels.Backward(dZ, dY, z, y, activation, rows, columns);

        double[] zd = ToDouble(z), w = ToDouble(dY), fd = new double[n];
        bool[] smooth = new bool[n];
        double center = WeightedActivation(activation, zd, w, rows, columns);
        for (int i = 0; i < n; i++) (fd[i], smooth[i]) = Central(zd, i, center, () => WeightedActivation(activation, zd, w, rows, columns));

        var upstream = new Matrix(w, rows, columns);
        (double[] reverse, double[] forward) = Autodiff((g, p) => g.Sum(g.Mul(GraphOf.Activation(g, activation, p[0]), g.Constant(upstream))),
            new[] { new Matrix(zd, rows, columns) });
        return new GradientCheckReport($"{activation} ({rows}, {columns})", tol, ToDouble(dZ), reverse, forward, fd, smooth,
            i => $"{activation} at z[{i / columns},{i % columns}] = {z[i]:G6}");
    }

    /// <summary>
    /// A loss's backward kernel (with respect to y, or z for fused losses) against the derivatives of
    /// <see cref="Loss.Reference"/>, on seeded outputs and valid targets (one-hot rows for the classification losses).
    /// </summary>
    /// <param name="loss">The loss.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="columns">Columns.</param>
    /// <param name="seed">Seed.</param>
    /// <param name="tolerance">Tolerances; <see cref="GradientTolerance.Float"/> when null.</param>
    public static GradientCheckReport Loss(Loss loss, int rows, int columns, ulong seed, GradientTolerance? tolerance = null)
    {
        GradientTolerance tol = (tolerance ?? GradientTolerance.Float).Validated();
        var random = new SeededRandom(seed);
        int n = rows * columns;
        float[] input = new float[n], target = new float[n], y = new float[n], gradient = new float[n];
        for (int i = 0; i < n; i++) input[i] = random.NextFloat(-2f, 2f);
        MakeTargets(loss, target, rows, columns, random);
        Activation output = loss.RequiredOutputActivation ?? Cortex.Activation.Linear;
        float[] z = (float[])input.Clone();
        ActivationKernels.BiasActivationForward(y, z, default, output, rows, columns);
        LossKernels.Backward(gradient, loss, y, z, target, rows, columns);

        double[] xd = ToDouble(input), cd = ToDouble(target), fd = new double[n];
        bool[] smooth = new bool[n];
        double center = loss.Reference(xd, cd, rows, columns);
        for (int i = 0; i < n; i++) (fd[i], smooth[i]) = Central(xd, i, center, () => loss.Reference(xd, cd, rows, columns));

        var c = new Matrix(cd, rows, columns);
        // The fused losses are functions of z; the others of y.
        (double[] reverse, double[] forward) = Autodiff(
            (g, p) => GraphOf.Loss(g, loss, p[0], GraphOf.Activation(g, output, p[0]), g.Constant(c), rows),
            new[] { new Matrix(xd, rows, columns) });
        return new GradientCheckReport($"{loss} ({rows}, {columns})", tol, ToDouble(gradient), reverse, forward, fd, smooth,
            i => $"{loss} d/d{(loss.IsFused ? "z" : "y")}[{i / columns},{i % columns}]");
    }

    /// <summary>
    /// Any scalar function written as an autodiff graph: <paramref name="handWritten"/> (one matrix per input, e.g.
    /// a layer's backward widened with <see cref="Matrix.FromSingle"/>) against reverse mode, forward mode and central
    /// differences of the graph's value. Without a hand-written gradient, reverse mode stands in for it, and the
    /// report checks the engine itself (reverse against forward against finite differences).
    /// </summary>
    /// <remarks>
    /// To check a layer's backward for an upstream gradient dY, return <c>graph.Sum(y * graph.Constant(dY))</c>: its
    /// gradient is exactly the vector-Jacobian product the layer computes.
    /// </remarks>
    /// <param name="function">Builds the scalar output from one variable per input; called once per evaluation.</param>
    /// <param name="inputs">The point, one matrix per input; not modified.</param>
    /// <param name="handWritten">The gradient to check (same shapes as the inputs), or null.</param>
    /// <param name="tolerance">Tolerances; <see cref="GradientTolerance.Float"/> when null.</param>
    /// <exception cref="ArgumentException">A tolerance is negative, the output is not a scalar, or <paramref name="handWritten"/> does not match the inputs.</exception>
    public static GradientCheckReport Function(Func<Graph, Node[], Node> function, IReadOnlyList<Matrix> inputs,
        IReadOnlyList<Matrix>? handWritten = null, GradientTolerance? tolerance = null)
    {
        if (function is null) throw new ArgumentNullException(nameof(function));
        if (inputs is null) throw new ArgumentNullException(nameof(inputs));
        GradientTolerance tol = (tolerance ?? GradientTolerance.Float).Validated();
        var points = new Matrix[inputs.Count];
        for (int i = 0; i < inputs.Count; i++) points[i] = new Matrix(inputs[i].AsSpan(), inputs[i].Rows, inputs[i].Cols);
        if (handWritten is not null) CheckShapes(points, handWritten);

        (double[] reverse, double[] forward) = Autodiff(function, points);
        var names = new List<string>();
        double[] fd = new double[reverse.Length];
        bool[] smooth = new bool[reverse.Length];
        double center = Evaluate(function, points);
        int k = 0;
        for (int m = 0; m < points.Length; m++)
        {
            Matrix p = points[m];
            double[] values = p.ToArray();
            for (int e = 0; e < p.Length; e++, k++)
            {
                names.Add($"input {m} [{e / p.Cols},{e % p.Cols}]");
                (fd[k], smooth[k]) = Central(values, e, center, () =>
                {
                    values.AsSpan().CopyTo(p.AsSpan());
                    return Evaluate(function, points);
                });
            }
            values.AsSpan().CopyTo(p.AsSpan());
        }
        double[] subject = reverse;
        if (handWritten is not null)
        {
            subject = new double[reverse.Length];
            k = 0;
            foreach (Matrix g in handWritten)
            {
                for (int e = 0; e < g.Length; e++) subject[k++] = g[e];
            }
        }
        return new GradientCheckReport(handWritten is null ? "autodiff engine" : "hand-written gradient", tol, subject, reverse, forward, fd, smooth, i => names[i]);
    }

    /// <summary>Fills valid targets for a loss: one-hot rows for classification, 0/1 for binary cross-entropy, values in [−1, 1] otherwise.</summary>
    /// <param name="loss">The loss.</param>
    /// <param name="target">Output (rows, columns).</param>
    /// <param name="rows">Rows.</param>
    /// <param name="columns">Columns.</param>
    /// <param name="random">Generator.</param>
    public static void MakeTargets(Loss loss, Span<float> target, int rows, int columns, SeededRandom random)
    {
        if (random is null) throw new ArgumentNullException(nameof(random));
        target.Slice(0, rows * columns).Clear();
        for (int r = 0; r < rows; r++)
        {
            Span<float> t = target.Slice(r * columns, columns);
            switch (loss.Kind)
            {
                case LossKind.SoftmaxCrossEntropy:
                case LossKind.Hinge when columns > 1:
                    t[random.NextInt(columns)] = 1f;
                    break;
                case LossKind.BinaryCrossEntropy:
                case LossKind.Hinge:
                    for (int k = 0; k < columns; k++) t[k] = random.NextInt(2);
                    break;
                default:
                    for (int k = 0; k < columns; k++) t[k] = random.NextFloat(-1f, 1f);
                    break;
            }
        }
    }

    /// <summary>The brain's mean loss recomputed in double precision from parameters θ (the layout of <see cref="Cortex.Brain.CopyParametersTo"/>).</summary>
    /// <param name="spec">Architecture and loss.</param>
    /// <param name="theta">Parameters.</param>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="targets">(batch, Outputs).</param>
    /// <param name="batch">Rows.</param>
    public static double ReferenceLoss(BrainSpec spec, IReadOnlyList<double> theta, IReadOnlyList<double> inputs, IReadOnlyList<double> targets, int batch)
    {
        if (spec is null) throw new ArgumentNullException(nameof(spec));
        double[] x = new double[batch * spec.Inputs];
        for (int i = 0; i < x.Length; i++) x[i] = inputs[i];
        double[] z = x;
        int offset = 0, fanIn = spec.Inputs;
        for (int l = 0; l < spec.Layers.Count; l++)
        {
            LayerSpec layer = spec.Layers[l];
            int outputs = layer.Outputs;
            z = new double[batch * outputs];
            for (int r = 0; r < batch; r++)
            {
                for (int o = 0; o < outputs; o++)
                {
                    double sum = theta[offset + outputs * fanIn + o];
                    for (int i = 0; i < fanIn; i++) sum += theta[offset + o * fanIn + i] * x[r * fanIn + i];
                    z[r * outputs + o] = sum;
                }
            }
            x = Activate(layer.Activation, z, batch, outputs);
            offset += outputs * fanIn + outputs;
            fanIn = outputs;
        }
        double[] c = new double[batch * spec.Outputs];
        for (int i = 0; i < c.Length; i++) c[i] = targets[i];
        return spec.Loss.Reference(spec.Loss.IsFused ? z : x, c, batch, spec.Outputs);
    }

    // The double definitions of the activation table, row-wise for softmax.
    private static double[] Activate(Activation activation, double[] z, int rows, int columns)
    {
        double[] y = new double[z.Length];
        if (activation.IsRowWise)
        {
            for (int r = 0; r < rows; r++) ActivationFunctions.Softmax.Row(y.AsSpan(r * columns, columns), z.AsSpan(r * columns, columns));
        }
        else
        {
            for (int i = 0; i < z.Length; i++) y[i] = ActivationFunctions.Forward(activation, z[i]);
        }
        return y;
    }

    private static double WeightedActivation(Activation activation, double[] z, double[] weights, int rows, int columns)
    {
        double[] y = Activate(activation, z, rows, columns);
        double sum = 0;
        for (int i = 0; i < y.Length; i++) sum += weights[i] * y[i];
        return sum;
    }

    // The oracle: reverse mode (one backward sweep) and forward mode (one dual pass per element), flattened in input order.
    private static (double[] Reverse, double[] Forward) Autodiff(Func<Graph, Node[], Node> function, Matrix[] points)
    {
        Matrix[] reverse = Derivatives.Gradient(function, points);
        Matrix forward = Derivatives.JacobianForward(function, points).Jacobian;
        double[] r = new double[forward.Cols], f = new double[forward.Cols];
        int k = 0;
        foreach (Matrix m in reverse)
        {
            for (int e = 0; e < m.Length; e++, k++)
            {
                r[k] = m[e];
                f[k] = forward[0, k];
            }
        }
        return (r, f);
    }

    private static double Evaluate(Func<Graph, Node[], Node> function, Matrix[] points)
    {
        Node y = Derivatives.Build(new Graph(), function, points, null, out _);
        if (!y.Shape.IsScalar) throw new ArgumentException($"The function's output {y.Shape} is not a scalar.", nameof(function));
        return y.Value;
    }

    private static void CheckShapes(Matrix[] inputs, IReadOnlyList<Matrix> handWritten)
    {
        if (handWritten.Count != inputs.Length)
        {
            throw new ArgumentException($"{handWritten.Count} hand-written gradients for {inputs.Length} inputs.", nameof(handWritten));
        }
        for (int i = 0; i < inputs.Length; i++)
        {
            if (handWritten[i] is null || handWritten[i].Shape != inputs[i].Shape)
            {
                throw new ArgumentException(
                    $"Hand-written gradient {i} is {handWritten[i]?.Shape.ToString() ?? "null"}, input is {inputs[i].Shape}.", nameof(handWritten));
            }
        }
    }

    // Central difference, and whether the function is smooth there: for a smooth f the one-sided
    // differences agree to O(h·f″); at a jump or kink they do not.
    private static (double Value, bool Smooth) Central(double[] values, int index, double center, Func<double> f)
    {
        double saved = values[index];
        double h = Step * Math.Max(1.0, Math.Abs(saved));
        values[index] = saved + h;
        double plus = f();
        values[index] = saved - h;
        double minus = f();
        values[index] = saved;
        double forward = (plus - center) / h, backward = (center - minus) / h;
        bool smooth = Math.Abs(forward - backward) <= 1e-2 + 1e-2 * (Math.Abs(forward) + Math.Abs(backward));
        return ((plus - minus) / (2 * h), smooth);
    }

    private static double[] ToDouble(ReadOnlySpan<float> values)
    {
        double[] d = new double[values.Length];
        for (int i = 0; i < d.Length; i++) d[i] = values[i];
        return d;
    }
}
