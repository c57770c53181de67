using System;
using System.Collections.Generic;
using Cortex.Autodiff;
using Cortex.Diagnostics;
using Cortex.Layers;
using Cortex.Tests.Layers;
using NUnit.Framework;

namespace Cortex.Tests.Brains;

[TestFixture]
public sealed class RecurrentBrainTests
{
    private const int In = 3, Hidden = 4, Mid = 5, Out = 2, Batch = 2;

    private static RecurrentBrain Build(bool gru, ulong seed = 7, int maxAgents = 8, int maxSteps = 17, Optimizer? optimizer = null)
    {
        BrainBuilder start = Brain.Create(In);
        RecurrentBrainBuilder builder = gru ? start.Gru(Hidden) : start.Rnn(Hidden);
        return builder.Dense(Mid, Activation.Tanh).Dense(Out, Activation.Linear).Loss(Loss.MeanSquaredError)
            .Optimizer(optimizer ?? Optimizer.Adam(0.01f)).MaxAgents(maxAgents).MaxSequence(maxSteps).Build(seed);
    }

    [Test]
    public void ANonFiniteGradientIsClearedWithoutAStep([Values(true, false)] bool gru)
    {
        using RecurrentBrain brain = Build(gru);
        const int steps = 3;
        var x = new float[steps * Batch * In];
        x[1] = float.NaN;
        var t = new float[steps * Batch * Out];
        float[] before = new float[brain.ParameterCount], after = new float[brain.ParameterCount], gradients = new float[brain.ParameterCount];
        brain.CopyParametersTo(before);
        brain.AccumulateSequence(x, t, default, Batch, steps, TruncatedBptt.Full);

        Assert.That(brain.ApplyGradients(), Is.False);
        brain.CopyParametersTo(after);
        brain.CopyGradientsTo(gradients);
        Assert.That(after, Is.EqualTo(before));
        Assert.That(Array.TrueForAll(gradients, g => g == 0f), Is.True);
        Assert.That(brain.Steps, Is.EqualTo(0));
        Assert.That(float.IsNaN(brain.LastGradientNorm), Is.True);
    }

    [Test]
    public void BackwardSequenceRefusesWhenAThinkOverwroteTheForwardPass()
    {
        using RecurrentBrain brain = Build(gru: true);
        const int steps = 3;
        var x = new float[steps * Batch * In];
        brain.ForwardSequence(x, default, default, Batch, steps, TruncatedBptt.Full);
        float[] state = new float[Batch * Hidden], y = new float[Batch * Out];
        brain.Think(x.AsSpan(0, Batch * In), state, y, Batch);

        Assert.That(() => brain.BackwardSequence(new float[steps * Batch * Out]), Throws.InvalidOperationException);
    }

    [Test]
    public void SequenceGradientOfTheWholeBrainMatchesAutodiffAndFiniteDifferences([Values(true, false)] bool gru, [Values(1, 3, 17)] int steps)
    {
        using RecurrentBrain brain = Build(gru);
        GradientCheckReport report = Check(brain, steps, TruncatedBptt.Full, 11);
        Assert.That(report.Passed, Is.True, report.ToString());
    }

    [Test]
    public void BurnInAndWindowMatchTheEngineOnTheCutGraph([Values(true, false)] bool gru)
    {
        using RecurrentBrain brain = Build(gru);
        GradientCheckReport report = Check(brain, 12, new TruncatedBptt(4, 3), 12);
        Assert.That(report.AgainstReverse.Passed && report.AgainstForward.Passed, Is.True, report.ToString());
    }

    [Test]
    public void ThinkingTickByTickMatchesTheSequenceForward()
    {
        using RecurrentBrain brain = Build(gru: true);
        const int steps = 6;
        var random = new SeededRandom(3);
        float[] inputs = Values(steps * Batch * In, random), state = new float[Batch * Hidden], outputs = new float[Batch * Out];
        float[] zeroTargets = new float[steps * Batch * Out];
        double expectedLoss = 0;
        for (int t = 0; t < steps; t++)
        {
            brain.Think(inputs.AsSpan(t * Batch * In, Batch * In), state, outputs, Batch);
            foreach (float y in outputs) expectedLoss += (double)y * y;
        }
        expectedLoss /= steps * Batch * Out;
        float loss = brain.AccumulateSequence(inputs, zeroTargets, default, Batch, steps, TruncatedBptt.Full);
        Assert.That(loss, Is.EqualTo(expectedLoss).Within(1e-6 + 1e-5 * expectedLoss));
    }

    [Test]
    public void ManyAgentsInOneCallMatchOneAgentAtATime()
    {
        using RecurrentBrain brain = Build(gru: true, maxAgents: 4);
        const int agents = 11;   // more than MaxAgents: split into blocks inside the call
        var random = new SeededRandom(5);
        float[] state = Values(agents * Hidden, random), single = (float[])state.Clone(), inputs = Values(agents * In, random);
        float[] outputs = new float[agents * Out], one = new float[Out];
        brain.Think(inputs, state, outputs, agents);
        for (int a = 0; a < agents; a++)
        {
            brain.Think(inputs.AsSpan(a * In, In), single.AsSpan(a * Hidden, Hidden), one, 1);
            for (int k = 0; k < Out; k++) Assert.That(outputs[a * Out + k], Is.EqualTo(one[k]).Within(1e-6));
            for (int k = 0; k < Hidden; k++) Assert.That(state[a * Hidden + k], Is.EqualTo(single[a * Hidden + k]).Within(1e-6));
        }
    }

    [Test]
    public void ResetStateMakesAnAgentThinkLikeANewOne()
    {
        using RecurrentBrain brain = Build(gru: true);
        var random = new SeededRandom(9);
        float[] state = new float[2 * Hidden], outputs = new float[2 * Out];
        for (int t = 0; t < 5; t++) brain.Think(Values(2 * In, random), state, outputs, 2);
        brain.ResetState(state, 1);
        Assert.That(state.AsSpan(Hidden, Hidden).ToArray(), Is.All.EqualTo(0f));
        Assert.That(state.AsSpan(0, Hidden).ToArray(), Is.Not.All.EqualTo(0f));
        float[] same = Values(In, random), both = new float[2 * In];
        same.CopyTo(both, 0);
        same.CopyTo(both, In);
        float[] fresh = new float[Hidden], freshOut = new float[Out];
        brain.Think(both, state, outputs, 2);
        brain.Think(same, fresh, freshOut, 1);
        Assert.That(outputs.AsSpan(Out, Out).ToArray(), Is.EqualTo(freshOut).Within(1e-6));
        Assert.That(outputs.AsSpan(0, Out).ToArray(), Is.Not.EqualTo(freshOut));
        Assert.That(() => brain.ResetState(state, 2), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void ThinkingAndTrainingAllocateNothingOverTenThousandTicks()
    {
        const int agents = 64, steps = 8;
        using RecurrentBrain brain = Build(gru: true, maxAgents: agents, maxSteps: steps);
        var random = new SeededRandom(1);
        float[] inputs = Values(agents * In, random), state = new float[agents * Hidden], outputs = new float[agents * Out];
        float[] sequence = Values(steps * 4 * In, random), targets = Values(steps * 4 * Out, random);
        var truncation = new TruncatedBptt(4, 2);
        brain.Think(inputs, state, outputs, agents);
        brain.TrainSequence(sequence, targets, default, 4, steps, truncation);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int tick = 0; tick < 10_000; tick++)
        {
            brain.Think(inputs, state, outputs, agents);
            if (tick % 97 == 0) brain.ResetState(state, tick % agents);   // an episode ends
            if (tick % 500 == 0) brain.TrainSequence(sequence, targets, default, 4, steps, truncation);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.EqualTo(0));
        Assert.That(outputs, Has.All.Matches<float>(float.IsFinite));
    }

    [Test]
    public void SameSeedTrainsToBitwiseIdenticalParameters([Values(true, false)] bool gru)
    {
        float[] Run()
        {
            using RecurrentBrain brain = Build(gru, seed: 21);
            var random = new SeededRandom(4);
            float[] x = Values(10 * Batch * In, random), c = Values(10 * Batch * Out, random);
            for (int i = 0; i < 20; i++) brain.TrainSequence(x, c, default, Batch, 10, new TruncatedBptt(5, 2));
            float[] theta = new float[brain.ParameterCount];
            brain.CopyParametersTo(theta);
            return theta;
        }
        Assert.That(Run(), Is.EqualTo(Run()));
    }

    [Test]
    public void AGruLearnsToRecallABitAfterADelay()
    {
        // Input: a bit at t = 0 (then zeros); target at every step from t = delay on: that bit (as ±1).
        const int delay = 5, steps = 8, batch = 8;
        using RecurrentBrain brain = Brain.Create(1).Gru(8).Dense(1, Activation.Linear).Optimizer(Optimizer.Adam(0.03f))
            .MaxAgents(batch).MaxSequence(steps).Build(2);
        var random = new SeededRandom(6);
        float[] x = new float[steps * batch], c = new float[steps * batch];
        float first = 0, last = 0;
        for (int iteration = 0; iteration < 300; iteration++)
        {
            Array.Clear(x);
            Array.Clear(c);
            for (int b = 0; b < batch; b++)
            {
                float bit = random.NextFloat() < 0.5f ? -1f : 1f;
                x[b] = bit;
                for (int t = delay; t < steps; t++) c[t * batch + b] = bit;
            }
            float loss = brain.TrainSequence(x, c, default, batch, steps, TruncatedBptt.Full);
            if (iteration == 0) first = loss;
            last = loss;
        }
        Assert.That(last, Is.LessThan(0.05f * first), $"loss {first} -> {last}");
    }

    [Test]
    public void InvalidCallsNameTheParameterAndSizes()
    {
        using RecurrentBrain brain = Build(gru: true);
        float[] state = new float[Hidden], outputs = new float[Out];
        Assert.Multiple(() =>
        {
            Assert.That(() => brain.Think(new float[In - 1], state, outputs, 1), Throws.ArgumentException.With.Property("ParamName").EqualTo("inputs"));
            Assert.That(() => brain.Think(new float[In], new float[Hidden - 1], outputs, 1), Throws.ArgumentException.With.Property("ParamName").EqualTo("state"));
            Assert.That(() => brain.Think(new float[In], state, new float[Out - 1], 1), Throws.ArgumentException.With.Property("ParamName").EqualTo("outputs"));
            Assert.That(() => brain.TrainSequence(new float[3 * In], new float[3 * Out], default, 1, 3, new TruncatedBptt(0, 3)), Throws.ArgumentException.With.Property("ParamName").EqualTo("truncation"));
            Assert.That(() => brain.TrainSequence(new float[3 * In], new float[2 * Out], default, 1, 3, TruncatedBptt.Full), Throws.ArgumentException.With.Property("ParamName").EqualTo("targets"));
            Assert.That(() => Brain.Create(In).Dense(2, Activation.Tanh).Gru(4), Throws.InvalidOperationException);
        });
    }

    private static GradientCheckReport Check(RecurrentBrain brain, int steps, TruncatedBptt truncation, ulong seed)
    {
        bool gru = brain.Kind == RecurrentKind.Gru;
        var random = new SeededRandom(seed);
        float[] theta = new float[brain.ParameterCount];
        brain.CopyParametersTo(theta);
        for (int i = 0; i < theta.Length; i++) theta[i] += random.NextFloat(-0.2f, 0.2f);
        brain.LoadParameters(theta);
        float[] x = Values(steps * Batch * In, random), c = Values(steps * Batch * Out, random), h0 = Values(Batch * Hidden, random);
        brain.ZeroGradients();
        brain.AccumulateSequence(x, c, h0, Batch, steps, truncation);
        float[] gradient = new float[theta.Length];
        brain.CopyGradientsTo(gradient);
        brain.ZeroGradients();

        var inputs = new List<Matrix>();
        var handWritten = new List<Matrix>();
        int head = RecurrentBrainLayout.Split(theta, gradient, gru, In, Hidden, Mid, Out, inputs, handWritten);

        int burnIn = truncation.BurnIn, trained = (steps - burnIn) * Batch * Out;
        Func<Graph, Node[], Node> loss = (g, p) =>
        {
            Node h = g.Constant(Matrix.FromSingle(h0, Batch, Hidden));
            Node? total = null;
            for (int t = 0; t < steps; t++)
            {
                bool cut = t >= burnIn && (truncation.Window > 0 && (t - burnIn) % truncation.Window == 0 || t == burnIn && burnIn > 0);
                if (cut) h = g.Constant(h.Values());
                h = UnrolledCells.Cell(gru, g, p, 0, h, g.Constant(Matrix.FromSingle(x.AsSpan(t * Batch * In, Batch * In), Batch, In)));
                if (t < burnIn) continue;
                Node y1 = g.Tanh(g.Add(g.MatMul(h, g.Transpose(p[head])), p[head + 1]));
                Node y = g.Add(g.MatMul(y1, g.Transpose(p[head + 2])), p[head + 3]);
                Node d = g.Sub(y, g.Constant(Matrix.FromSingle(c.AsSpan(t * Batch * Out, Batch * Out), Batch, Out)));
                Node term = g.Sum(g.Mul(d, d));
                total = total is null ? term : g.Add(total, term);
            }
            return g.Mul(total!, g.Constant(1.0 / trained));
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
