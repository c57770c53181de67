using System;
using System.Collections.Generic;
using Cortex.Autodiff;
using Cortex.Diagnostics;
using Cortex.Layers;
using Cortex.Tests.Layers;
using NUnit.Framework;

namespace Cortex.Tests.Brains;

/// <summary>
/// <see cref="RecurrentBrain.ForwardSequence"/> / <see cref="RecurrentBrain.BackwardSequence"/>: the sequence passes an
/// objective differentiated by the caller (recurrent PPO) runs on, with episode starts clearing a row's state mid-sequence.
/// </summary>
[TestFixture]
public sealed class RecurrentBrainSequenceGradientTests
{
    private const int In = 3, Hidden = 4, Mid = 5, Out = 2, Batch = 3;

    private static RecurrentBrain Build(bool gru, ulong seed = 7)
    {
        BrainBuilder start = Brain.Create(In);
        RecurrentBrainBuilder builder = gru ? start.Gru(Hidden) : start.Rnn(Hidden);
        return builder.Dense(Mid, Activation.Tanh).Dense(Out, Activation.Linear)
            .Optimizer(Optimizer.Adam(0.01f)).MaxAgents(8).MaxSequence(17).Build(seed);
    }

    // Row 0 starts an episode at step 2, row 2 at steps 1 and 4 (and 9 when the sequence is that long); row 1 never.
    private static bool[] Starts(int steps)
    {
        bool[] starts = new bool[steps * Batch];
        void Set(int t, int b)
        {
            if (t < steps) starts[t * Batch + b] = true;
        }
        Set(2, 0);
        Set(1, 2);
        Set(4, 2);
        Set(9, 2);
        return starts;
    }

    [Test]
    public void GradientWithEpisodeStartsMatchesAutodiffAndFiniteDifferences([Values(true, false)] bool gru, [Values(1, 3, 17)] int steps)
    {
        using RecurrentBrain brain = Build(gru);
        GradientCheckReport report = Check(brain, steps, Starts(steps), TruncatedBptt.Full, 5);
        Assert.That(report.Passed, Is.True, report.ToString());
    }

    [Test]
    public void BurnInAndWindowWithEpisodeStartsMatchTheEngineOnTheCutGraph([Values(true, false)] bool gru)
    {
        using RecurrentBrain brain = Build(gru);
        GradientCheckReport report = Check(brain, 12, Starts(12), new TruncatedBptt(4, 3), 6);
        Assert.That(report.AgainstReverse.Passed && report.AgainstForward.Passed, Is.True, report.ToString());
    }

    [Test]
    public void WithoutStartsTheBackwardEqualsTheLossPathOfAccumulateSequence([Values(true, false)] bool gru)
    {
        // Mean squared error: dL/dy = 2(y − c)/(rows·Out); handed to BackwardSequence it must give AccumulateSequence's gradient.
        using RecurrentBrain brain = Build(gru);
        const int steps = 9;
        var truncation = new TruncatedBptt(3, 2);
        var random = new SeededRandom(3);
        float[] x = Values(steps * Batch * In, random), c = Values(steps * Batch * Out, random), h0 = Values(Batch * Hidden, random);
        brain.ZeroGradients();
        brain.AccumulateSequence(x, c, h0, Batch, steps, truncation);
        float[] expected = new float[brain.ParameterCount];
        brain.CopyGradientsTo(expected);
        brain.ZeroGradients();

        ReadOnlySpan<float> y = brain.ForwardSequence(x, h0, default, Batch, steps, truncation);
        int first = truncation.BurnIn * Batch * Out, n = y.Length;
        float[] dY = new float[n];
        for (int i = 0; i < n; i++) dY[i] = 2f * (y[i] - c[first + i]) / n;
        brain.BackwardSequence(dY);
        float[] actual = new float[brain.ParameterCount];
        brain.CopyGradientsTo(actual);
        Assert.That(actual, Is.EqualTo(expected).Within(1e-6f));
    }

    [Test]
    public void TheForwardMatchesThinkingTickByTickWithResetsAtTheStarts([Values(true, false)] bool gru)
    {
        using RecurrentBrain brain = Build(gru);
        const int steps = 7;
        var random = new SeededRandom(8);
        float[] x = Values(steps * Batch * In, random), h0 = Values(Batch * Hidden, random);
        bool[] starts = Starts(steps);
        float[] sequence = brain.ForwardSequence(x, h0, starts, Batch, steps, TruncatedBptt.Full).ToArray();

        float[] state = (float[])h0.Clone(), outputs = new float[Batch * Out];
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < Batch; b++) if (starts[t * Batch + b]) brain.ResetState(state, b);
            brain.Think(x.AsSpan(t * Batch * In, Batch * In), state, outputs, Batch);
            Assert.That(sequence.AsSpan(t * Batch * Out, Batch * Out).ToArray(), Is.EqualTo(outputs).Within(1e-6f), $"step {t}");
        }
    }

    [Test]
    public void ApplyGradientsStepsAndClearsTheGradients()
    {
        using RecurrentBrain brain = Build(gru: true);
        var random = new SeededRandom(2);
        float[] x = Values(4 * Batch * In, random), before = new float[brain.ParameterCount], after = new float[brain.ParameterCount];
        brain.CopyParametersTo(before);
        ReadOnlySpan<float> y = brain.ForwardSequence(x, default, default, Batch, 4, TruncatedBptt.Full);
        brain.BackwardSequence(Values(y.Length, random));
        brain.ApplyGradients();
        brain.CopyParametersTo(after);
        brain.CopyGradientsTo(before.AsSpan());
        Assert.Multiple(() =>
        {
            Assert.That(brain.Steps, Is.EqualTo(1));
            Assert.That(before, Has.All.EqualTo(0f));
            Assert.That(after, Is.Not.EqualTo(new float[after.Length]));
        });
    }

    [Test]
    public void InvalidCallsNameTheParameterAndSizes()
    {
        using RecurrentBrain brain = Build(gru: true);
        float[] x = new float[4 * Batch * In];
        Assert.Multiple(() =>
        {
            Assert.That(() => brain.BackwardSequence(new float[4 * Batch * Out]), Throws.InvalidOperationException);
            Assert.That(() => brain.ForwardSequence(x, default, new bool[5], Batch, 4, TruncatedBptt.Full),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("episodeStarts").And.Message.Contains("12"));
            Assert.That(() => brain.ForwardSequence(x, new float[3], default, Batch, 4, TruncatedBptt.Full),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("initialState"));
            brain.ForwardSequence(x, default, default, Batch, 4, new TruncatedBptt(0, 1));
            Assert.That(() => brain.BackwardSequence(new float[4 * Batch * Out]),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("dOutputs").And.Message.Contains($"{3 * Batch * Out}"));
            Assert.That(() => brain.Optimizer = Optimizer.GradientDescent(0.1f), Throws.ArgumentException);
        });
    }

    // L = Σ_t≥burnIn Σ w_t ⊙ y_t: dL/dy = w, handed to BackwardSequence; the engine unrolls the same masked graph.
    private static GradientCheckReport Check(RecurrentBrain brain, int steps, bool[] starts, TruncatedBptt truncation, ulong seed)
    {
        bool gru = brain.Kind == RecurrentKind.Gru;
        var random = new SeededRandom(seed);
        float[] theta = new float[brain.ParameterCount];
        brain.CopyParametersTo(theta);
        for (int i = 0; i < theta.Length; i++) theta[i] += random.NextFloat(-0.2f, 0.2f);
        brain.LoadParameters(theta);
        float[] x = Values(steps * Batch * In, random), h0 = Values(Batch * Hidden, random);
        int burnIn = truncation.BurnIn;
        float[] w = Values((steps - burnIn) * Batch * Out, random);
        brain.ZeroGradients();
        brain.ForwardSequence(x, h0, starts, Batch, steps, truncation);
        brain.BackwardSequence(w);
        float[] gradient = new float[theta.Length];
        brain.CopyGradientsTo(gradient);
        brain.ZeroGradients();

        var inputs = new List<Matrix>();
        var handWritten = new List<Matrix>();
        int head = RecurrentBrainLayout.Split(theta, gradient, gru, In, Hidden, Mid, Out, inputs, handWritten);

        Func<Graph, Node[], Node> loss = (g, p) =>
        {
            Node h = g.Constant(Matrix.FromSingle(h0, Batch, Hidden));
            Node? total = null;
            for (int t = 0; t < steps; t++)
            {
                bool cut = t >= burnIn && (truncation.Window > 0 && (t - burnIn) % truncation.Window == 0 || t == burnIn && burnIn > 0);
                if (cut) h = g.Constant(h.Values());
                float[] keep = new float[Batch * Hidden];
                bool any = false;
                for (int b = 0; b < Batch; b++)
                {
                    any |= starts[t * Batch + b];
                    keep.AsSpan(b * Hidden, Hidden).Fill(starts[t * Batch + b] ? 0f : 1f);
                }
                if (any) h = g.Mul(h, g.Constant(Matrix.FromSingle(keep, Batch, Hidden)));         // the episode start clears the row
                h = UnrolledCells.Cell(gru, g, p, 0, h, g.Constant(Matrix.FromSingle(x.AsSpan(t * Batch * In, Batch * In), Batch, In)));
                if (t < burnIn) continue;
                Node y1 = g.Tanh(g.Add(g.MatMul(h, g.Transpose(p[head])), p[head + 1]));
                Node y = g.Add(g.MatMul(y1, g.Transpose(p[head + 2])), p[head + 3]);
                Node term = g.Sum(g.Mul(y, g.Constant(Matrix.FromSingle(w.AsSpan((t - burnIn) * Batch * Out, Batch * Out), Batch, Out))));
                total = total is null ? term : g.Add(total, term);
            }
            return total!;
        };
        return GradientCheck.Function(loss, inputs, handWritten);
    }

    private static float[] Values(int length, SeededRandom random)
    {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) values[i] = random.NextFloat(-1f, 1f);
        return values;
    }
}
