using System;
using System.Collections.Generic;
using Cortex.Kernels;

namespace Cortex.Diagnostics;

/// <summary>Tolerances of a gradient check: |analytic − numeric| ≤ Absolute + Relative·max(|analytic|, |numeric|).</summary>
/// <param name="Absolute">Absolute slack.</param>
/// <param name="Relative">Relative slack.</param>
public readonly record struct GradientTolerance(double Absolute, double Relative)
{
    /// <summary>Float backward against double finite differences: 1e-4 absolute, 1e-3 relative.</summary>
    public static GradientTolerance Float => new(1e-4, 1e-3);

    /// <summary>True when the pair agrees.</summary>
    /// <param name="analytic">Hand-written gradient.</param>
    /// <param name="numeric">Reference gradient.</param>
    public bool Accepts(double analytic, double numeric) =>
        Math.Abs(analytic - numeric) <= Absolute + Relative * Math.Max(Math.Abs(analytic), Math.Abs(numeric));
}

/// <summary>The outcome of a gradient check: the worst disagreement and where it was.</summary>
public sealed class GradientCheckReport
{
    internal GradientCheckReport(string subject, GradientTolerance tolerance)
    {
        Subject = subject;
        Tolerance = tolerance;
    }

    /// <summary>What was checked, e.g. "Dense(3 -> 3, Tanh)".</summary>
    public string Subject { get; }

    /// <summary>The tolerances applied.</summary>
    public GradientTolerance Tolerance { get; }

    /// <summary>Number of derivatives compared.</summary>
    public int Checked { get; private set; }

    /// <summary>Number of derivatives outside the tolerance.</summary>
    public int Failures { get; private set; }

    /// <summary>Largest |analytic − numeric|.</summary>
    public double MaxAbsoluteError { get; private set; }

    /// <summary>Largest |analytic − numeric| / max(|analytic|, |numeric|, 1e-12).</summary>
    public double MaxRelativeError { get; private set; }

    /// <summary>The first failing (or else the worst) derivative, e.g. "layer 1 W[2,0]: analytic 0.1 vs numeric 0.2".</summary>
    public string Worst { get; private set; } = "none";

    /// <summary>
    /// Derivatives not compared because the reference jumps or kinks within one step of the point
    /// (e.g. a step unit or a ReLU at 0): there the one-sided differences disagree and no finite
    /// difference is meaningful.
    /// </summary>
    public int Skipped { get; private set; }

    /// <summary>True when every derivative compared agreed and at most a tenth had to be skipped.</summary>
    public bool Passed => Failures == 0 && Checked > 0 && Skipped * 10 <= Checked + Skipped;

    internal void Add(string where, double analytic, (double Value, bool Smooth) numeric)
    {
        if (!numeric.Smooth)
        {
            Skipped++;
            return;
        }
        Add(where, analytic, numeric.Value);
    }

    internal void Add(string where, double analytic, double numeric)
    {
        Checked++;
        double abs = Math.Abs(analytic - numeric);
        double rel = abs / Math.Max(1e-12, Math.Max(Math.Abs(analytic), Math.Abs(numeric)));
        bool ok = Tolerance.Accepts(analytic, numeric) && !double.IsNaN(analytic) && !double.IsNaN(numeric);
        string line = $"{where}: analytic {analytic:G9} vs numeric {numeric:G9}";
        if (!ok && Failures++ == 0) Worst = line;
        else if (Failures == 0 && abs >= MaxAbsoluteError) Worst = line;
        MaxAbsoluteError = Math.Max(MaxAbsoluteError, abs);
        MaxRelativeError = Math.Max(MaxRelativeError, rel);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Subject}: {(Passed ? "passed" : "FAILED")} ({Checked} derivatives, {Failures} outside tolerance, {Skipped} skipped at kinks, max abs {MaxAbsoluteError:G3}, max rel {MaxRelativeError:G3}; worst {Worst})";
}

/// <summary>
/// Checks hand-written backward passes against central finite differences of a double-precision
/// reference forward (the activation table, <see cref="Loss.Reference"/>, and z = W y + b in double).
/// </summary>
public static class GradientCheck
{
    /// <summary>Step of the central differences (in double).</summary>
    public const double Step = 1e-5;

    /// <summary>
    /// Every weight and bias derivative of a brain on a batch (input derivatives of hidden layers are exercised through the layers before them): the brain's own backward (on its
    /// backend) against finite differences of a double-precision replay of the same network and loss.
    /// The brain's accumulated gradients are cleared; its weights are unchanged.
    /// </summary>
    /// <param name="brain">The brain; its backend computes the analytic gradients.</param>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="targets">(batch, Outputs).</param>
    /// <param name="batch">Rows.</param>
    /// <param name="tolerance">Tolerances; <see cref="GradientTolerance.Float"/> when null.</param>
    public static GradientCheckReport Brain(Brain brain, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch,
        GradientTolerance? tolerance = null)
    {
        if (brain is null) throw new ArgumentNullException(nameof(brain));
        var report = new GradientCheckReport(brain.Spec.ToString(), tolerance ?? GradientTolerance.Float);
        BrainSpec spec = brain.Spec;
        float[] parameters = new float[brain.ParameterCount], analytic = new float[brain.ParameterCount];
        brain.CopyParametersTo(parameters);
        brain.ZeroGradients();
        brain.AccumulateGradients(inputs, targets, batch);
        brain.CopyGradientsTo(analytic);
        brain.ZeroGradients();

        double[] theta = ToDouble(parameters);
        double[] x = ToDouble(inputs.Slice(0, batch * spec.Inputs));
        double[] c = ToDouble(targets.Slice(0, batch * spec.Outputs));
        double center = ReferenceLoss(spec, theta, x, c, batch);
        int offset = 0, fanIn = spec.Inputs;
        for (int l = 0; l < spec.Layers.Count; l++)
        {
            int outputs = spec.Layers[l].Outputs;
            for (int p = 0; p < outputs * fanIn + outputs; p++)
            {
                int i = offset + p;
                var numeric = Central(theta, i, center, () => ReferenceLoss(spec, theta, x, c, batch));
                string where = p < outputs * fanIn ? $"layer {l} W[{p / fanIn},{p % fanIn}]" : $"layer {l} b[{p - outputs * fanIn}]";
                report.Add(where, analytic[i], numeric);
            }
            offset += outputs * fanIn + outputs;
            fanIn = outputs;
        }
        return report;
    }

    /// <summary>
    /// An activation's backward kernel (dZ = f′(z) ⊙ dY) against finite differences of Σ dY·f(z) computed
    /// with the double-precision table, on seeded values in [−<paramref name="range"/>, <paramref name="range"/>].
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
        var report = new GradientCheckReport($"{activation} ({rows}, {columns})", tolerance ?? GradientTolerance.Float);
        var random = new SeededRandom(seed);
        int n = rows * columns;
        float[] z = new float[n], y = new float[n], dY = new float[n], dZ = new float[n];
        for (int i = 0; i < n; i++) { z[i] = random.NextFloat(-range, range); dY[i] = random.NextFloat(-1f, 1f); }
        float[] zCopy = (float[])z.Clone();
        ActivationKernels.BiasActivationForward(y, zCopy, default, activation, rows, columns);
        ActivationKernels.Backward(dZ, dY, z, y, activation, rows, columns);
        double[] zd = ToDouble(z), w = ToDouble(dY);
        double center = WeightedActivation(activation, zd, w, rows, columns);
        for (int i = 0; i < n; i++)
        {
            var numeric = Central(zd, i, center, () => WeightedActivation(activation, zd, w, rows, columns));
            report.Add($"{activation} at z[{i / columns},{i % columns}] = {z[i]:G6}", dZ[i], numeric);
        }
        return report;
    }

    /// <summary>
    /// A loss's backward kernel against finite differences of <see cref="Loss.Reference"/>, on seeded
    /// outputs and valid targets (one-hot rows for the classification losses). For fused losses the
    /// derivative is with respect to the pre-activation z.
    /// </summary>
    /// <param name="loss">The loss.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="columns">Columns.</param>
    /// <param name="seed">Seed.</param>
    /// <param name="tolerance">Tolerances; <see cref="GradientTolerance.Float"/> when null.</param>
    public static GradientCheckReport Loss(Loss loss, int rows, int columns, ulong seed, GradientTolerance? tolerance = null)
    {
        var report = new GradientCheckReport($"{loss} ({rows}, {columns})", tolerance ?? GradientTolerance.Float);
        var random = new SeededRandom(seed);
        int n = rows * columns;
        float[] input = new float[n], target = new float[n], y = new float[n], gradient = new float[n];
        for (int i = 0; i < n; i++) input[i] = random.NextFloat(-2f, 2f);
        MakeTargets(loss, target, rows, columns, random);
        Activation output = loss.RequiredOutputActivation ?? Cortex.Activation.Linear;
        float[] z = (float[])input.Clone();
        ActivationKernels.BiasActivationForward(y, z, default, output, rows, columns);
        LossKernels.Backward(gradient, loss, y, z, target, rows, columns);
        double[] xd = ToDouble(input), cd = ToDouble(target);
        double center = loss.Reference(xd, cd, rows, columns);
        for (int i = 0; i < n; i++)
        {
            var numeric = Central(xd, i, center, () => loss.Reference(xd, cd, rows, columns));
            report.Add($"{loss} d/d{(loss.IsFused ? "z" : "y")}[{i / columns},{i % columns}]", gradient[i], numeric);
        }
        return report;
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

    private static double[] Activate(Activation activation, double[] z, int rows, int columns)
    {
        double[] y = new double[z.Length];
        if (activation.Kind == ActivationKind.Softmax)
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

    // Central difference, and whether the function is smooth there: for a smooth f the one-sided
    // differences agree to O(h·f″); at a jump or kink they do not.
    internal static (double Value, bool Smooth) Central(double[] values, int index, double center, Func<double> f)
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
