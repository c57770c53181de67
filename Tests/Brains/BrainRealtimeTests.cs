using System;
using Cortex.Backends;
using NUnit.Framework;

namespace Cortex.Tests.Brains;

/// <summary>The real-time additions to <see cref="Brain"/>: the guarded training step.</summary>
[TestFixture]
public sealed class BrainRealtimeTests
{
    private static (float[] X, float[] Y) Data(int rows, ulong seed, float targetScale = 1f)
    {
        var random = new SeededRandom(seed);
        float[] x = new float[rows * 3], y = new float[rows];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextFloat(-1, 1);
        for (int i = 0; i < y.Length; i++) y[i] = targetScale * random.NextFloat(-1, 1);
        return (x, y);
    }

    private static float[] Parameters(Brain brain)
    {
        float[] theta = new float[brain.ParameterCount];
        brain.CopyParametersTo(theta);
        return theta;
    }

    [Test]
    public void AGoodStepIsExactlyATrainStep()
    {
        using Brain a = Brain.Create(3).Dense(8, Activation.Tanh).Dense(1, Activation.Linear).Optimizer(Optimizer.Adam(0.01f)).MaxBatch(8).Build(1);
        using Brain b = a.Clone();
        (float[] x, float[] y) = Data(8, 2);
        for (int i = 0; i < 20; i++)
        {
            float expected = a.Train(x, y, 8);
            Assert.That(b.TryTrain(x, y, 8, out float loss), Is.True);
            Assert.That(loss, Is.EqualTo(expected));
        }
        Assert.That(Parameters(b), Is.EqualTo(Parameters(a)));
        Assert.That(b.Steps, Is.EqualTo(20));
        Assert.That(b.RejectedSteps, Is.EqualTo(0));
    }

    [Test]
    public void AStepThatOverflowsTheWeightsIsRolledBack()
    {
        // Finite loss and gradient, but a velocity near float.MaxValue (learning rates are at most 10) pushes the weights to infinity.
        using Brain brain = Brain.Create(3).Dense(1, Activation.Linear).Optimizer(Optimizer.WithMomentum(Optimizer.MaxLearningRate, 0.5f)).MaxBatch(8).Build(3);
        (float[] x, float[] y) = Data(8, 4, targetScale: 50f);
        CpuBackend.Span(brain.Arena.Moment1!.All).Fill(3e38f);
        float[] before = Parameters(brain), velocity = CpuBackend.Span(brain.Arena.Moment1!.All).ToArray();
        Assert.That(brain.TryTrain(x, y, 8, out float loss), Is.False);
        Assert.That(float.IsFinite(loss), Is.True);
        Assert.That(Parameters(brain), Is.EqualTo(before), "the weights stay the last good ones");
        Assert.That(CpuBackend.Span(brain.Arena.Moment1!.All).ToArray(), Is.EqualTo(velocity), "and so does the momentum");
        Assert.That(brain.Steps, Is.EqualTo(0));
        Assert.That(brain.RejectedSteps, Is.EqualTo(1));

        // The brain still works: a sane step afterwards is kept.
        brain.Optimizer = Optimizer.WithMomentum(1e-3f, 0.5f);
        CpuBackend.Span(brain.Arena.Moment1!.All).Clear();
        Assert.That(brain.TryTrain(x, y, 8, out _), Is.True);
        Assert.That(brain.Steps, Is.EqualTo(1));
    }

    [Test]
    public void ANonFiniteLossIsRejected()
    {
        using Brain brain = Brain.Create(3).Dense(1, Activation.Linear).MaxBatch(8).Build(5);
        (float[] x, float[] y) = Data(8, 6, targetScale: 3e38f);
        float[] before = Parameters(brain);
        Assert.That(brain.TryTrain(x, y, 8, out float loss), Is.False);
        Assert.That(float.IsFinite(loss), Is.False);
        Assert.That(Parameters(brain), Is.EqualTo(before));
        Assert.That(brain.RejectedSteps, Is.EqualTo(1));
    }

    [Test]
    public void TryTrainValidatesAndAllocatesNothingAfterItsFirstCall()
    {
        using Brain brain = Brain.Create(3).Dense(8, Activation.Relu).Dense(1, Activation.Linear).MaxBatch(8).Threads(2).Build(7);
        (float[] x, float[] y) = Data(8, 8);
        Assert.That(() => brain.TryTrain(x, y, 9, out _), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("batch"));
        Assert.That(() => brain.TryTrain(x.AsSpan(0, 20), y, 8, out _), Throws.ArgumentException.With.Property("ParamName").EqualTo("inputs").And.Message.Contains("20"));
        brain.TryTrain(x, y, 8, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++) brain.TryTrain(x, y, 8, out _);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
    }
}
