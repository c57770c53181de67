using System;
using NUnit.Framework;

namespace Cortex.Tests.Brains;

/// <summary>Brain.TrainPipelined on the CPU backend: the previous step's loss, the same steps as Train, and no allocation.</summary>
[TestFixture]
public sealed class TrainPipelinedTests
{
    private static Brain Build() => Brain.Create(2).Dense(12, Activation.Tanh).Dense(2, Activation.Softmax).Loss(Loss.SoftmaxCrossEntropy)
        .Optimizer(Optimizer.Adam(0.01f).WithGradientClipping(0.05f)).MaxBatch(16).Build(seed: 41);

    [Test]
    public void ReturnsThePreviousStepsLossAndTakesTheSameStepsAsTrain()
    {
        const int batch = 16;
        (float[] x, float[] y) = LearningTests.TwoMoons(batch * 3, seed: 42);
        using Brain pipelined = Build();
        using Brain plain = Build();
        Assert.That(pipelined.LastLoss, Is.NaN, "no step yet");
        float previous = float.NaN;
        for (int step = 0; step < 8; step++)
        {
            int at = step % 3 * batch;
            ReadOnlySpan<float> xs = x.AsSpan(at * 2, batch * 2), ys = y.AsSpan(at * 2, batch * 2);
            float returned = pipelined.TrainPipelined(xs, ys, batch);
            float loss = plain.Train(xs, ys, batch);
            Assert.That(BitConverter.SingleToInt32Bits(returned), Is.EqualTo(BitConverter.SingleToInt32Bits(previous)), $"step {step} returns the loss of step {step - 1}");
            Assert.That(pipelined.LastLoss, Is.EqualTo(loss), $"LastLoss after step {step}");
            previous = loss;
        }
        Assert.That(pipelined.Steps, Is.EqualTo(plain.Steps));
        Assert.That(pipelined.LastGradientNorm, Is.EqualTo(plain.LastGradientNorm));
        float[] a = new float[pipelined.ParameterCount], b = new float[plain.ParameterCount];
        pipelined.CopyParametersTo(a);
        plain.CopyParametersTo(b);
        Assert.That(a, Is.EqualTo(b));
    }

    [Test]
    public void AllocatesNothing()
    {
        const int batch = 16;
        (float[] x, float[] y) = LearningTests.TwoMoons(batch, seed: 43);
        using Brain brain = Build();
        brain.TrainPipelined(x, y, batch);
        brain.TrainPipelined(x, y, batch);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) brain.TrainPipelined(x, y, batch);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
    }
}
