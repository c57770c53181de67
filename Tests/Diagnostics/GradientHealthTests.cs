using System;
using Cortex.Diagnostics;
using NUnit.Framework;

namespace Cortex.Tests.Diagnostics;

[TestFixture]
public sealed class GradientHealthTests
{
    private static (float[] X, float[] Y) Data(int rows, int inputs, int outputs, ulong seed, float scale = 1f)
    {
        var random = new SeededRandom(seed);
        float[] x = new float[rows * inputs], y = new float[rows * outputs];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextFloat(-1, 1);
        for (int i = 0; i < y.Length; i++) y[i] = scale * random.NextFloat(-1, 1);
        return (x, y);
    }

    [Test]
    public void LayerGradientNormsMatchTheGradientArenaBeforeTheStep()
    {
        using Brain brain = Brain.Create(3).Dense(8, Activation.Relu).Dense(8, Activation.Sigmoid).Dense(2, Activation.Linear)
            .Optimizer(Optimizer.Adam(0.01f)).MaxBatch(16).Build(1);
        var health = new GradientHealth(brain);
        Assert.That(health.Refresh(), Is.False, "nothing captured before the first step");
        (float[] x, float[] y) = Data(16, 3, 2, seed: 2);
        float[] gradients = new float[brain.ParameterCount], weights = new float[brain.ParameterCount];
        brain.CopyParametersTo(weights);
        brain.AccumulateGradients(x, y, 16);
        brain.CopyGradientsTo(gradients);
        Assert.That(brain.ApplyGradients(), Is.True);

        Assert.That(health.Refresh(), Is.True);
        Assert.That(health.Captures, Is.EqualTo(1));
        Assert.That(health.Rows, Is.EqualTo(16));
        int offset = 0;
        for (int i = 0; i < brain.Layers.Count; i++)
        {
            int count = brain.Layers[i].ParameterCount;
            double g = Norm(gradients.AsSpan(offset, count)), w = Norm(weights.AsSpan(offset, count));
            LayerHealth layer = health.Layers[i];
            Assert.That(layer.Layer, Is.EqualTo(i));
            Assert.That(layer.Units, Is.EqualTo(brain.Layers[i].Outputs));
            Assert.That(layer.GradientNorm, Is.EqualTo(g).Within(1e-5 * g + 1e-9), $"layer {i}");
            Assert.That(layer.WeightNorm, Is.EqualTo(w).Within(1e-5 * w), $"layer {i}");
            Assert.That(layer.RelativeGradient, Is.EqualTo(g / w).Within(1e-4 * g / w));
            offset += count;
        }
        Assert.That(health.Refresh(), Is.False, "no new step, nothing new");

        static double Norm(ReadOnlySpan<float> values)
        {
            double sum = 0;
            foreach (float v in values) sum += (double)v * v;
            return Math.Sqrt(sum);
        }
    }

    [Test]
    public void DeadReluUnitsSaturatedUnitsAndVanishingGradientsAreFlagged()
    {
        using Brain brain = Brain.Create(2).Dense(4, Activation.Relu).Dense(4, Activation.Sigmoid).Dense(4, Activation.Tanh).Dense(1, Activation.Linear)
            .Optimizer(Optimizer.GradientDescent(0.01f)).MaxBatch(8).Build(3);
        // Zero weights everywhere but the output layer; the biases decide every activation:
        // ReLU units 0 and 1 output 0 on every row (dead), sigmoid units 0 and 1 sit at 1 and 0, tanh unit 0 at 1.
        float[] theta = new float[brain.ParameterCount];
        int at = 0;
        SetBiases(ref at, 2, 4, -1f, -1f, 1f, 1f);
        SetBiases(ref at, 4, 4, 10f, -10f, 0f, 0f);
        SetBiases(ref at, 4, 4, 5f, 0f, 0f, 0f);
        theta.AsSpan(at, 4).Fill(0.5f);
        brain.SetParameters(theta);

        var health = new GradientHealth(brain);
        (float[] x, float[] y) = Data(8, 2, 1, seed: 4);
        brain.Train(x, y, 8);
        health.Refresh();
        ReadOnlySpan<LayerHealth> layers = health.Layers;

        Assert.That(layers[0].DeadShare, Is.EqualTo(0.5f));
        Assert.That(layers[1].SaturatedShare, Is.EqualTo(0.5f));
        Assert.That(layers[2].SaturatedShare, Is.EqualTo(0.25f));
        Assert.That(layers[1].DeadShare, Is.EqualTo(0f), "dead units are a ReLU notion");
        Assert.That(layers[0].SaturatedShare, Is.EqualTo(0f));
        // The zero weights of the tanh layer stop every gradient below it: the first two layers get nothing.
        Assert.That(layers[0].GradientNorm, Is.EqualTo(0f));
        Assert.That(layers[1].GradientNorm, Is.EqualTo(0f));
        Assert.That(layers[2].GradientNorm, Is.GreaterThan(0f));
        Assert.That(layers[0].Issues, Is.EqualTo(HealthIssue.DeadUnits | HealthIssue.Vanishing));
        Assert.That(layers[1].Issues, Is.EqualTo(HealthIssue.Saturated | HealthIssue.Vanishing));
        Assert.That(layers[2].Issues, Is.EqualTo(HealthIssue.None));
        Assert.That(health.Issues, Is.EqualTo(HealthIssue.DeadUnits | HealthIssue.Saturated | HealthIssue.Vanishing));

        void SetBiases(ref int offset, int inputs, int units, params float[] biases)
        {
            offset += inputs * units;
            biases.CopyTo(theta, offset);
            offset += units;
        }
    }

    [Test]
    public void ExplodingAndNonFiniteGradientsAreFlagged()
    {
        using Brain brain = Brain.Create(2).Dense(8, Activation.Tanh).Dense(1, Activation.Linear)
            .Optimizer(Optimizer.GradientDescent(1e-6f)).MaxBatch(4).Build(5);
        var health = new GradientHealth(brain) { ExplodingNorm = 100f };
        (float[] x, float[] y) = Data(4, 2, 1, seed: 6, scale: 1e5f);
        brain.Train(x, y, 4);
        health.Refresh();
        Assert.That(health.Layers[1].Issues & HealthIssue.Exploding, Is.EqualTo(HealthIssue.Exploding));
        Assert.That(health.Layers[1].GradientNorm, Is.GreaterThan(100f));

        brain.Forward(x, 4);
        brain.Backward(new[] { float.NaN, 0f, 0f, 0f }, 4);
        Assert.That(brain.ApplyGradients(), Is.False);
        Assert.That(health.Refresh(), Is.True);
        Assert.That(health.Issues & HealthIssue.NonFinite, Is.EqualTo(HealthIssue.NonFinite));
        Assert.That(health.Captures, Is.EqualTo(2), "rejected steps are captured too");
    }

    [Test]
    public void CapturingAndReadingEveryTickAllocateNothing()
    {
        using Brain brain = Brain.Create(4).Dense(16, Activation.Relu).Dense(16, Activation.Tanh).Dense(2, Activation.Sigmoid)
            .Loss(Loss.BinaryCrossEntropy).Optimizer(Optimizer.Adam(0.01f)).MaxBatch(32).Threads(2).Build(7);
        var health = new GradientHealth(brain);
        (float[] x, _) = Data(32, 4, 2, seed: 8);
        float[] y = new float[64];
        for (int i = 0; i < y.Length; i++) y[i] = i % 3 == 0 ? 1f : 0f;
        for (int i = 0; i < 10; i++)
        {
            brain.Train(x, y, 32);
            health.Refresh();
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        float sum = 0;
        for (int i = 0; i < 1000; i++)
        {
            brain.Train(x, y, 32);
            health.Refresh();
            foreach (LayerHealth layer in health.Layers) sum += layer.GradientNorm + layer.DeadShare + layer.SaturatedShare;
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
        Assert.That(float.IsFinite(sum), Is.True);
        Assert.That(health.Captures, Is.EqualTo(1010));
    }
}
