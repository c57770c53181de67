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
    public int[] Delays { get; set; } = { 5, 10, 20, 40, 80, 160, 320 };

    public int Hidden { get; set; } = 32;
    public int Batch { get; set; } = 32;

    /// <summary>Most optimizer steps per (model, delay).</summary>
    public int MaxTrainSteps { get; set; } = 1500;

    public int EvaluateEvery { get; set; } = 50;
    public int HeldOut { get; set; } = 512;
    public float LearningRate { get; set; } = 0.03f;
    public float ClipNorm { get; set; } = 1f;

    /// <summary>Size of the random-sign distractor on the first input before and after the bit.</summary>
    public float Distractor { get; set; } = 1f;

    /// <summary>Distractor steps before the bit (so that the bit does not meet a resting state).</summary>
    public int Lead { get; set; } = 5;

    /// <summary>The gradient measurement's delay (distances 0 … T).</summary>
    public int GradientDelay { get; set; } = 100;

    public float SmallScale { get; set; } = 0.5f;
    public float NormalScale { get; set; } = 1f;
    public float LargeScale { get; set; } = 3f;

    /// <summary>Steps of the clipping comparison (plain gradient descent, Elman at <see cref="LargeScale"/>).</summary>
    public int ClipSteps { get; set; } = 200;
    public int ClipDelay { get; set; } = 20;
    public float ClipLearningRate { get; set; } = 0.1f;
}

/// <summary>A trained model of the delay table: the cell, its recurrent scale, and whether it trains through the delays in order.</summary>
public sealed record DelayModel(string Name, RecurrentKind Kind, float Scale, bool Curriculum);

/// <summary>‖dL/dh‖ per distance from the loss (relative to the loss step) for one cell.</summary>
public sealed record GradientCurve(string Name, double[] Relative);

/// <summary>One training run of the clipping comparison: ‖dL/dθ‖ and the loss per step.</summary>
public sealed record ClipRun(string Name, float[] GradientNorms, float[] Losses);

/// <summary>
/// One model on one delay: best held-out accuracy, the step it first reached 95 % (0: never), and ‖dL/dh‖ at the bit's
/// step relative to the loss step (distance T) in the first and the last training step.
/// </summary>
public sealed record DelayCell(int Delay, float Accuracy, int SolvedAtStep, int StepsRun, double FirstBitGradient, double LastBitGradient);

/// <summary>Everything the experiment measured; <see cref="Cells"/>[m][d] is model m on delay d.</summary>
public sealed record DelayResult(IReadOnlyList<GradientCurve> Gradients, IReadOnlyList<ClipRun> Clipping,
    IReadOnlyList<DelayModel> Models, IReadOnlyList<IReadOnlyList<DelayCell>> Cells, double Seconds);

/// <summary>
/// The long-delay recall task: after a few steps of random ±1 distractors a bit (±1) is shown with a marker, then T
/// more distractor steps, and the brain must output the bit after the last step (the loss sits on that step only). The gradient that reaches the bit's
/// step shrinks or grows geometrically with T, at a rate set by the cell and its initial weights.
/// </summary>
public static class DelayRecall
{
    public const float Target = 0.95f;

    /// <summary>Input width: the value (distractor or bit) and the marker that flags the bit.</summary>
    public const int Inputs = 2;

    /// <summary>Steps of a sequence whose bit lies <paramref name="delay"/> steps before the loss.</summary>
    public static int Length(DelaySettings s, int delay) => s.Lead + 1 + delay;

    public static IReadOnlyList<DelayModel> Models(DelaySettings s) => new DelayModel[]
    {
        new($"Elman x{s.SmallScale:0.##}", RecurrentKind.Rnn, s.SmallScale, false),
        new($"Elman x{s.NormalScale:0.##}", RecurrentKind.Rnn, s.NormalScale, false),
        new("GRU", RecurrentKind.Gru, 1f, false),
        new("GRU, curriculum", RecurrentKind.Gru, 1f, true),
    };

    public static DelayResult Run(DelaySettings s, Action<string> report)
    {
        var clock = Stopwatch.StartNew();
        var gradients = new List<GradientCurve>
        {
            new($"Elman, recurrent scale {s.SmallScale:0.##}", Gradients(s, RecurrentKind.Rnn, s.SmallScale)),
            new($"Elman, recurrent scale {s.NormalScale:0.##}", Gradients(s, RecurrentKind.Rnn, s.NormalScale)),
            new($"Elman, recurrent scale {s.LargeScale:0.##}", Gradients(s, RecurrentKind.Rnn, s.LargeScale)),
            new("GRU", Gradients(s, RecurrentKind.Gru, 1f)),
        };
        foreach (GradientCurve curve in gradients) report($"gradient  {curve.Name,-28} ‖dL/dh‖ relative to the loss step at distance {Distances(curve.Relative)}");

        var clipping = new List<ClipRun>
        {
            Clip(s, clip: 0f, "no clipping"),
            Clip(s, clip: s.ClipNorm, $"clipped at ‖g‖ ≤ {s.ClipNorm:0.##}"),
        };
        foreach (ClipRun run in clipping)
        {
            report($"clipping  Elman scale {s.LargeScale:0.##}, T = {s.ClipDelay}, SGD {s.ClipLearningRate:0.###}, {run.Name,-18}: max ‖g‖ {run.GradientNorms.Max():G3}, "
                + $"loss {run.Losses[0]:G3} -> {Final(run.Losses)}");
        }

        IReadOnlyList<DelayModel> models = Models(s);
        var cells = models.Select(_ => new List<DelayCell>()).ToArray();
        var kept = new RecurrentBrain?[models.Count];
        int longest = s.Delays.Max();
        try
        {
            foreach (int delay in s.Delays)
            {
                for (int m = 0; m < models.Count; m++)
                {
                    DelayModel model = models[m];
                    RecurrentBrain brain = kept[m] ?? TrainingBrain(s, model, model.Curriculum ? longest : delay);
                    if (model.Curriculum) kept[m] = brain;
                    DelayCell cell = Train(s, brain, delay);
                    if (!model.Curriculum) brain.Dispose();
                    cells[m].Add(cell);
                    report($"delay {delay,4}  {model.Name,-16} {cell.Accuracy * 100,5:F1} %{Solved(cell)}  ({clock.Elapsed.TotalSeconds:F0} s)");
                }
            }
        }
        finally
        {
            foreach (RecurrentBrain? brain in kept) brain?.Dispose();
        }
        return new DelayResult(gradients, clipping, models, cells, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The largest delay whose accuracy reached the target, 0 for none.</summary>
    public static int LargestLearned(IReadOnlyList<DelayCell> cells) => cells.Where(c => c.SolvedAtStep > 0).Select(c => c.Delay).DefaultIfEmpty(0).Max();

    public static string Solved(DelayCell c) =>
        (c.SolvedAtStep > 0 ? $" (step {c.SolvedAtStep}" : $" (no, {c.StepsRun}") + $", bit gradient {c.FirstBitGradient:0.#E+0} -> {c.LastBitGradient:0.#E+0})";

    private static string Final(float[] losses)
    {
        int bad = Array.FindIndex(losses, l => !float.IsFinite(l) || l > 1e6f);
        return bad >= 0 ? $"{losses[bad]:G3} at step {bad + 1}" : $"{losses[losses.Length - 1]:G3}";
    }

    private static string Distances(double[] relative)
    {
        var parts = new List<string>();
        foreach (int d in new[] { 0, 5, 10, 20, 50, 100 })
        {
            if (d < relative.Length) parts.Add($"{d}: {relative[d]:0.##E+0}");
        }
        return string.Join(", ", parts);
    }

    private static RecurrentBrain Build(DelaySettings s, RecurrentKind kind, float scale, Optimizer optimizer, int steps, int agents, ulong seed)
    {
        BrainBuilder start = Brain.Create(DelayRecall.Inputs);
        RecurrentBrainBuilder builder = kind == RecurrentKind.Gru ? start.Gru(s.Hidden) : start.Rnn(s.Hidden, scale);
        return builder.Dense(1, Activation.Linear).Loss(Loss.MeanSquaredError).Optimizer(optimizer)
            .MaxAgents(agents).MaxSequence(steps).Threads(s.Threads).Build(seed);
    }

    // ‖dL/dh_t‖ with the loss on the last step of a delay-T sequence, at the initial weights, indexed by distance.
    private static double[] Gradients(DelaySettings s, RecurrentKind kind, float scale)
    {
        int steps = Length(s, s.GradientDelay), batch = 4 * s.Batch;
        using RecurrentBrain brain = Build(s, kind, scale, Optimizer.GradientDescent(1e-9f), steps, batch, s.Seed);
        float[] x = new float[steps * batch * Inputs], c = new float[steps * batch];
        Fill(x, c, steps, batch, s, new SeededRandom(s.Seed * 7919 + 3));
        double[] norms = new double[steps];
        brain.TrainSequence(x, c, default, batch, steps, TruncatedBptt.Full, lossSteps: 1, norms);
        double[] relative = new double[s.GradientDelay + 1];
        for (int d = 0; d < relative.Length; d++) relative[d] = norms[steps - 1 - d] / norms[steps - 1];
        return relative;
    }

    // Plain gradient descent on the large-scale Elman RNN, with and without clipping.
    private static ClipRun Clip(DelaySettings s, float clip, string name)
    {
        int steps = Length(s, s.ClipDelay), batch = s.Batch;
        Optimizer sgd = Optimizer.GradientDescent(s.ClipLearningRate);
        if (clip > 0f) sgd = sgd.WithGradientClipping(clip);
        using RecurrentBrain brain = Build(s, RecurrentKind.Rnn, s.LargeScale, sgd, steps, batch, s.Seed);
        var random = new SeededRandom(s.Seed * 104729 + 5);
        float[] x = new float[steps * batch * Inputs], c = new float[steps * batch];
        float[] norms = new float[s.ClipSteps], losses = new float[s.ClipSteps];
        for (int i = 0; i < s.ClipSteps; i++)
        {
            Fill(x, c, steps, batch, s, random);
            losses[i] = brain.TrainSequence(x, c, default, batch, steps, TruncatedBptt.Full, lossSteps: 1, default);
            norms[i] = brain.LastGradientNorm;
        }
        return new ClipRun(name, norms, losses);
    }

    private static RecurrentBrain TrainingBrain(DelaySettings s, DelayModel model, int longest)
    {
        Optimizer adam = Optimizer.Adam(s.LearningRate).WithGradientClipping(s.ClipNorm);
        return Build(s, model.Kind, model.Scale, adam, Length(s, longest), Math.Max(s.Batch, s.HeldOut), s.Seed);
    }

    // Adam with clipping on one delay until the held-out accuracy reaches the target or the step budget ends.
    private static DelayCell Train(DelaySettings s, RecurrentBrain brain, int delay)
    {
        int steps = Length(s, delay), batch = s.Batch;
        var random = new SeededRandom(s.Seed * 6_700_417 + (ulong)delay);
        float[] x = new float[steps * batch * Inputs], c = new float[steps * batch];
        float[] heldX = new float[steps * s.HeldOut * Inputs], heldC = new float[steps * s.HeldOut];
        Fill(heldX, heldC, steps, s.HeldOut, s, new SeededRandom(s.Seed * 15_485_863 + (ulong)delay));
        float[] state = new float[s.HeldOut * brain.StateWidth], output = new float[s.HeldOut];
        double[] norms = new double[steps];
        double first = 0;
        float best = 0f;
        for (int step = 1; step <= s.MaxTrainSteps; step++)
        {
            Fill(x, c, steps, batch, s, random);
            brain.TrainSequence(x, c, default, batch, steps, TruncatedBptt.Full, lossSteps: 1, norms);
            if (step == 1) first = norms[s.Lead] / norms[steps - 1];
            if (step % s.EvaluateEvery != 0 && step != s.MaxTrainSteps) continue;
            float accuracy = Accuracy(brain, heldX, heldC, state, output, steps, s.HeldOut);
            best = Math.Max(best, accuracy);
            if (accuracy >= Target) return new DelayCell(delay, accuracy, step, step, first, norms[s.Lead] / norms[steps - 1]);
        }
        return new DelayCell(delay, best, 0, s.MaxTrainSteps, first, norms[s.Lead] / norms[steps - 1]);
    }

    // Runs the held-out sequences step by step (Think) and counts the signs that match the bit.
    private static float Accuracy(RecurrentBrain brain, float[] x, float[] c, float[] state, float[] output, int steps, int count)
    {
        Array.Clear(state);
        for (int t = 0; t < steps; t++) brain.Think(x.AsSpan(t * count * Inputs, count * Inputs), state, output, count);
        int right = 0;
        int last = (steps - 1) * count;
        for (int b = 0; b < count; b++)
        {
            if (output[b] > 0f == c[last + b] > 0f) right++;
        }
        return right / (float)count;
    }

    // x (steps, batch, 2): ±distractor and marker 0, except at t = Lead: the bit and marker 1;
    // c (steps, batch, 1): the bit at the last step (other rows unused).
    private static void Fill(float[] x, float[] c, int steps, int batch, DelaySettings s, SeededRandom random)
    {
        Array.Clear(c);
        for (int b = 0; b < batch; b++)
        {
            float bit = random.NextFloat() < 0.5f ? -1f : 1f;
            for (int t = 0; t < steps; t++)
            {
                int row = (t * batch + b) * Inputs;
                bool marked = t == s.Lead;
                x[row] = marked ? bit : random.NextFloat() < 0.5f ? -s.Distractor : s.Distractor;
                x[row + 1] = marked ? 1f : 0f;
            }
            c[(steps - 1) * batch + b] = bit;
        }
    }
}
