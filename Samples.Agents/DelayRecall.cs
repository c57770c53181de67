using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Cortex.Layers;

namespace Cortex.Samples.Agents;

/// <summary>Settings of the long-delay recall experiment.</summary>
public sealed class DelaySettings
{
    public ulong Seed { get; set; } = 1;
    public int Threads { get; set; } = 1;

    /// <summary>Delays T to train on, increasing.</summary>
    public int[] Delays { get; set; } = { 5, 10, 20, 40, 80 };

    public int Hidden { get; set; } = 32;
    public int Batch { get; set; } = 32;

    /// <summary>Most optimizer steps per (cell, delay).</summary>
    public int MaxTrainSteps { get; set; } = 1500;

    public int EvaluateEvery { get; set; } = 50;
    public int HeldOut { get; set; } = 512;
    public float LearningRate { get; set; } = 0.003f;
    public float ClipNorm { get; set; } = 1f;

    /// <summary>Half-width of the uniform noise on the input during the delay (0: zeros).</summary>
    public float Noise { get; set; } = 0.2f;

    /// <summary>The gradient measurement's delay (distances 0 … T).</summary>
    public int GradientDelay { get; set; } = 100;

    public float NormalScale { get; set; } = 1f;
    public float LargeScale { get; set; } = 3f;

    /// <summary>Steps of the clipping comparison (plain gradient descent, Elman at <see cref="LargeScale"/>).</summary>
    public int ClipSteps { get; set; } = 200;
    public int ClipDelay { get; set; } = 20;
    public float ClipLearningRate { get; set; } = 0.1f;
}

/// <summary>‖dL/dh‖ per distance from the loss (relative to the loss step) for one cell.</summary>
public sealed record GradientCurve(string Name, double[] Relative);

/// <summary>One training run of the clipping comparison: ‖dL/dθ‖ and the loss per step.</summary>
public sealed record ClipRun(string Name, float[] GradientNorms, float[] Losses);

/// <summary>One cell on one delay: best held-out accuracy and the step it first reached 95 % (0: never).</summary>
public sealed record DelayCell(int Delay, float Accuracy, int SolvedAtStep, int StepsRun);

/// <summary>Everything the experiment measured.</summary>
public sealed record DelayResult(IReadOnlyList<GradientCurve> Gradients, IReadOnlyList<ClipRun> Clipping,
    IReadOnlyList<DelayCell> Elman, IReadOnlyList<DelayCell> Gru, double Seconds);

/// <summary>
/// The long-delay recall task: a bit (±1) is shown at step 0, then T steps of small noise, and the brain must
/// output the bit after the last step (the loss sits on that step only). An Elman RNN's gradient reaching the bit's
/// step shrinks (or grows) geometrically with T; a GRU's gated direct path carries it further.
/// </summary>
public static class DelayRecall
{
    public const float Target = 0.95f;

    public static DelayResult Run(DelaySettings s, Action<string> report)
    {
        var clock = Stopwatch.StartNew();
        var gradients = new List<GradientCurve>
        {
            new($"Elman, recurrent scale {s.NormalScale:0.##}", Gradients(s, RecurrentKind.Rnn, s.NormalScale)),
            new($"Elman, recurrent scale {s.LargeScale:0.##}", Gradients(s, RecurrentKind.Rnn, s.LargeScale)),
            new("GRU", Gradients(s, RecurrentKind.Gru, 1f)),
        };
        foreach (GradientCurve curve in gradients) report($"gradient  {curve.Name,-28} ‖dL/dh‖ relative to the loss step at distance {Distances(curve.Relative)}");

        var clipping = new List<ClipRun>
        {
            Clip(s, clip: 0f, $"no clipping"),
            Clip(s, clip: s.ClipNorm, $"clipped at ‖g‖ ≤ {s.ClipNorm:0.##}"),
        };
        foreach (ClipRun run in clipping)
        {
            report($"clipping  Elman scale {s.LargeScale:0.##}, T = {s.ClipDelay}, SGD {s.ClipLearningRate:0.###}, {run.Name,-18}: max ‖g‖ {run.GradientNorms.Max():G3}, "
                + $"loss {run.Losses[0]:G3} -> {Final(run.Losses)}");
        }

        var elman = new List<DelayCell>();
        var gru = new List<DelayCell>();
        foreach (int delay in s.Delays)
        {
            DelayCell e = Train(s, RecurrentKind.Rnn, delay);
            DelayCell g = Train(s, RecurrentKind.Gru, delay);
            elman.Add(e);
            gru.Add(g);
            report($"delay {delay,4}  elman {e.Accuracy * 100,5:F1} %{Solved(e),-14}  gru {g.Accuracy * 100,5:F1} %{Solved(g),-14}  ({clock.Elapsed.TotalSeconds:F0} s)");
        }
        return new DelayResult(gradients, clipping, elman, gru, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The largest delay whose accuracy reached the target, 0 for none.</summary>
    public static int LargestLearned(IReadOnlyList<DelayCell> cells) => cells.Where(c => c.SolvedAtStep > 0).Select(c => c.Delay).DefaultIfEmpty(0).Max();

    public static string Solved(DelayCell c) => c.SolvedAtStep > 0 ? $" (step {c.SolvedAtStep})" : $" (no, {c.StepsRun})";

    private static string Final(float[] losses)
    {
        int bad = Array.FindIndex(losses, l => !float.IsFinite(l) || l > 1e6f);
        return bad >= 0 ? $"{losses[bad]:G3} at step {bad + 1}" : $"{losses[losses.Length - 1]:G3}";
    }

    private static string Distances(double[] relative)
    {
        var parts = new List<string>();
        foreach (int d in new[] { 0, 5, 10, 20, 50, 100, 200 })
        {
            if (d < relative.Length) parts.Add($"{d}: {relative[d]:0.##E+0}");
        }
        return string.Join(", ", parts);
    }

    private static RecurrentBrain Build(DelaySettings s, RecurrentKind kind, float scale, Optimizer optimizer, int steps, int agents, ulong seed)
    {
        BrainBuilder start = Brain.Create(1);
        RecurrentBrainBuilder builder = kind == RecurrentKind.Gru ? start.Gru(s.Hidden) : start.Rnn(s.Hidden, scale);
        return builder.Dense(1, Activation.Linear).Loss(Loss.MeanSquaredError).Optimizer(optimizer)
            .MaxAgents(agents).MaxSequence(steps).Threads(s.Threads).Build(seed);
    }

    // ‖dL/dh_t‖ with the loss on the last step of a delay-T sequence, at the initial weights, indexed by distance.
    private static double[] Gradients(DelaySettings s, RecurrentKind kind, float scale)
    {
        int steps = s.GradientDelay + 1, batch = 4 * s.Batch;
        using RecurrentBrain brain = Build(s, kind, scale, Optimizer.GradientDescent(1e-9f), steps, batch, s.Seed);
        float[] x = new float[steps * batch], c = new float[steps * batch];
        Fill(x, c, steps, batch, s.Noise, new SeededRandom(s.Seed * 7919 + 3));
        double[] norms = new double[steps];
        brain.TrainSequence(x, c, default, batch, steps, TruncatedBptt.Full, lossSteps: 1, norms);
        double[] relative = new double[steps];
        for (int d = 0; d < steps; d++) relative[d] = norms[steps - 1 - d] / norms[steps - 1];
        return relative;
    }

    // Plain gradient descent on the large-scale Elman RNN, with and without clipping.
    private static ClipRun Clip(DelaySettings s, float clip, string name)
    {
        int steps = s.ClipDelay + 1, batch = s.Batch;
        Optimizer sgd = Optimizer.GradientDescent(s.ClipLearningRate);
        if (clip > 0f) sgd = sgd.WithGradientClipping(clip);
        using RecurrentBrain brain = Build(s, RecurrentKind.Rnn, s.LargeScale, sgd, steps, batch, s.Seed);
        var random = new SeededRandom(s.Seed * 104729 + 5);
        float[] x = new float[steps * batch], c = new float[steps * batch];
        float[] norms = new float[s.ClipSteps], losses = new float[s.ClipSteps];
        for (int i = 0; i < s.ClipSteps; i++)
        {
            Fill(x, c, steps, batch, s.Noise, random);
            losses[i] = brain.TrainSequence(x, c, default, batch, steps, TruncatedBptt.Full, lossSteps: 1, default);
            norms[i] = brain.LastGradientNorm;
        }
        return new ClipRun(name, norms, losses);
    }

    // Adam with clipping on one delay until the held-out accuracy reaches the target or the step budget ends.
    private static DelayCell Train(DelaySettings s, RecurrentKind kind, int delay)
    {
        int steps = delay + 1, batch = s.Batch;
        Optimizer adam = Optimizer.Adam(s.LearningRate).WithGradientClipping(s.ClipNorm);
        using RecurrentBrain brain = Build(s, kind, s.NormalScale, adam, steps, batch, s.Seed);
        var random = new SeededRandom(s.Seed * 6_700_417 + (ulong)delay);
        float[] x = new float[steps * batch], c = new float[steps * batch];
        float[] heldX = new float[steps * s.HeldOut], heldC = new float[steps * s.HeldOut];
        Fill(heldX, heldC, steps, s.HeldOut, s.Noise, new SeededRandom(s.Seed * 15_485_863 + (ulong)delay));
        float[] state = new float[s.HeldOut * brain.StateWidth], output = new float[s.HeldOut];
        float best = 0f;
        for (int step = 1; step <= s.MaxTrainSteps; step++)
        {
            Fill(x, c, steps, batch, s.Noise, random);
            brain.TrainSequence(x, c, default, batch, steps, TruncatedBptt.Full, lossSteps: 1, default);
            if (step % s.EvaluateEvery != 0 && step != s.MaxTrainSteps) continue;
            float accuracy = Accuracy(brain, heldX, heldC, state, output, steps, s.HeldOut);
            best = Math.Max(best, accuracy);
            if (accuracy >= Target) return new DelayCell(delay, accuracy, step, step);
        }
        return new DelayCell(delay, best, 0, s.MaxTrainSteps);
    }

    // Runs the held-out sequences step by step (Think) and counts the signs that match the bit.
    private static float Accuracy(RecurrentBrain brain, float[] x, float[] c, float[] state, float[] output, int steps, int count)
    {
        Array.Clear(state);
        for (int t = 0; t < steps; t++) brain.Think(x.AsSpan(t * count, count), state, output, count);
        int right = 0;
        int last = (steps - 1) * count;
        for (int b = 0; b < count; b++)
        {
            if (output[b] > 0f == c[last + b] > 0f) right++;
        }
        return right / (float)count;
    }

    // x (steps, batch, 1): the bit at t = 0, then noise; c (steps, batch, 1): the bit at the last step (other rows unused).
    private static void Fill(float[] x, float[] c, int steps, int batch, float noise, SeededRandom random)
    {
        Array.Clear(c);
        for (int b = 0; b < batch; b++)
        {
            float bit = random.NextFloat() < 0.5f ? -1f : 1f;
            x[b] = bit;
            for (int t = 1; t < steps; t++) x[t * batch + b] = noise > 0f ? random.NextFloat(-noise, noise) : 0f;
            c[(steps - 1) * batch + b] = bit;
        }
    }
}
