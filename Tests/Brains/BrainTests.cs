using System;
using System.Collections.Generic;
using NUnit.Framework;

namespace Cortex.Tests.Brains;

[TestFixture]
public sealed class BrainTests
{
    private static Brain Small(ulong seed, int threads = 1) =>
        Brain.Create(4).Dense(16, Activation.Tanh).Dense(16, Activation.Relu).Dense(3, Activation.Softmax)
            .Loss(Loss.SoftmaxCrossEntropy).Optimizer(Optimizer.Adam(0.01f)).MaxBatch(32).Threads(threads).Build(seed);

    private static (float[] X, float[] Y) Data(int rows, ulong seed)
    {
        var random = new SeededRandom(seed);
        float[] x = new float[rows * 4], y = new float[rows * 3];
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < 4; i++) x[r * 4 + i] = random.NextFloat(-1f, 1f);
            y[r * 3 + (x[r * 4] > 0 ? (x[r * 4 + 1] > 0 ? 0 : 1) : 2)] = 1f;
        }
        return (x, y);
    }

    [Test]
    public void SameSeedGivesBitwiseIdenticalWeightsAfter100Steps()
    {
        float[] a = Run(seed: 7, threads: 1), b = Run(seed: 7, threads: 1), c = Run(seed: 8, threads: 1), d = Run(seed: 7, threads: 2);
        Assert.That(b, Is.EqualTo(a), "same seed, same weights, bit for bit");
        Assert.That(d, Is.EqualTo(a), "thread count does not change the result");
        Assert.That(c, Is.Not.EqualTo(a));

        static float[] Run(ulong seed, int threads)
        {
            using Brain brain = Small(seed, threads);
            (float[] x, float[] y) = Data(32 * 100, seed: 1);
            for (int step = 0; step < 100; step++) brain.Train(x.AsSpan(step * 32 * 4, 32 * 4), y.AsSpan(step * 32 * 3, 32 * 3), 32);
            float[] theta = new float[brain.ParameterCount];
            brain.CopyParametersTo(theta);
            return theta;
        }
    }

    [Test]
    public void PredictAndTrainAllocateNothingInSteadyState()
    {
        foreach (int threads in new[] { 1, 2 })
        {
            using Brain brain = Small(1, threads);
            (float[] x, float[] y) = Data(100, seed: 2);
            int[] labels = new int[32];
            float[] outputs = new float[100 * 3];
            for (int i = 0; i < 10; i++)   // every call below once before measuring: first calls may size things
            {
                brain.Predict(x, outputs, 100);
                brain.Predict(x, outputs, 1);
                brain.Train(x, y, 32);
                brain.Train(x, labels, 32);
                brain.Forward(x, 8);
                brain.Backward(outputs, 8);
                brain.ApplyGradients();
                brain.Evaluate(x, y, 100);
            }
            // Steady state: an allocation per call repeats in every window of 200 iterations; a one-off event of the
            // runtime on this thread does not (one window of a full-suite run once read 2,776 B). Up to three windows.
            var windows = new List<long>();
            do
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 200; i++)
                {
                    brain.Predict(x, outputs, 100);   // 100 rows: four chunks of MaxBatch 32
                    brain.Predict(x, outputs, 1);
                    brain.Train(x, y, 32);
                    brain.Train(x, labels, 32);
                    brain.Forward(x, 8);
                    brain.Backward(outputs, 8);
                    brain.ApplyGradients();
                    brain.Evaluate(x, y, 100);
                }
                windows.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            }
            while (windows[windows.Count - 1] != 0 && windows.Count < 3);
            Assert.That(windows[windows.Count - 1], Is.EqualTo(0), $"{threads} thread(s); bytes per window: {string.Join(", ", windows)}");
        }
    }

    [Test]
    public void PredictSplitsBatchesLargerThanMaxBatch()
    {
        using Brain brain = Small(3);
        (float[] x, _) = Data(100, seed: 3);
        float[] all = new float[300], one = new float[3];
        brain.Predict(x, all, 100);
        for (int r = 0; r < 100; r++)
        {
            brain.Predict(x.AsSpan(r * 4, 4), one, 1);
            Assert.That(all.AsSpan(r * 3, 3).ToArray(), Is.EqualTo(one).Within(1e-6), $"row {r}");
        }
    }

    [Test]
    public void NonFiniteStepsAreRejectedAndWeightsKept()
    {
        using Brain brain = Small(4);
        (float[] x, float[] y) = Data(32, seed: 4);
        float[] before = new float[brain.ParameterCount], after = new float[brain.ParameterCount];
        brain.CopyParametersTo(before);
        x[5] = float.NaN;
        float loss = brain.Train(x, y, 32);
        brain.CopyParametersTo(after);
        Assert.That(float.IsNaN(loss), Is.True);
        Assert.That(brain.RejectedSteps, Is.EqualTo(1));
        Assert.That(brain.Steps, Is.EqualTo(0));
        Assert.That(after, Is.EqualTo(before));
        x[5] = 0.5f;
        brain.Train(x, y, 32);
        Assert.That(brain.Steps, Is.EqualTo(1), "training goes on after a rejected step");
    }

    [Test]
    public void GradientClippingBoundsTheStep()
    {
        using Brain brain = Brain.Create(1).Dense(1, Activation.Linear).Optimizer(Optimizer.GradientDescent(1f).WithGradientClipping(0.5f)).Build(0);
        brain.SetParameters(new float[] { 0f, 0f });
        brain.Train(new float[] { 1f }, new float[] { 100f }, 1);   // gradient (−200, −200), norm 283
        float[] theta = new float[2];
        brain.CopyParametersTo(theta);
        Assert.That(MathF.Sqrt(theta[0] * theta[0] + theta[1] * theta[1]), Is.EqualTo(0.5f).Within(1e-6));
        Assert.That(brain.LastGradientNorm, Is.EqualTo(200f * MathF.Sqrt(2f)).Within(1e-2));
    }

    [Test]
    public void WrongShapesThrowNamingTheParameterAndBothSizes()
    {
        using Brain brain = Small(5);
        var e = Assert.Throws<ArgumentException>(() => brain.Predict(new float[7], new float[6], 2));
        Assert.That(e!.ParamName, Is.EqualTo("inputs"));
        Assert.That(e.Message, Does.Contain("7").And.Contain("8"));
        e = Assert.Throws<ArgumentException>(() => brain.Predict(new float[8], new float[5], 2));
        Assert.That(e!.ParamName, Is.EqualTo("outputs"));
        Assert.That(e.Message, Does.Contain("5").And.Contain("6"));
        e = Assert.Throws<ArgumentException>(() => brain.Train(new float[8], new float[5], 2));
        Assert.That(e!.ParamName, Is.EqualTo("targets"));
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => brain.Train(new float[4 * 33], new float[3 * 33], 33));
        Assert.That(r!.ParamName, Is.EqualTo("batch"));
        Assert.That(r.Message, Does.Contain("32"));
        r = Assert.Throws<ArgumentOutOfRangeException>(() => brain.Train(new float[8], new[] { 0, 3 }, 2));
        Assert.That(r!.ParamName, Is.EqualTo("labels"));
        e = Assert.Throws<ArgumentException>(() => brain.SetParameters(new float[3]));
        Assert.That(e!.Message, Does.Contain("3").And.Contain(brain.ParameterCount.ToString()));
        Assert.Throws<InvalidOperationException>(() => brain.Backward(new float[6], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Brain.Create(0));
        Assert.Throws<ArgumentException>(() => Brain.Create(3).Build(1));
    }

    [Test]
    public void LabelsTrainLikeOneHotTargets()
    {
        using Brain a = Small(6), b = Small(6);
        (float[] x, float[] y) = Data(32, seed: 6);
        int[] labels = new int[32];
        for (int r = 0; r < 32; r++) labels[r] = Metrics.ArgMax(y.AsSpan(r * 3, 3));
        Assert.That(b.Train(x, labels, 32), Is.EqualTo(a.Train(x, y, 32)));
        float[] ta = new float[a.ParameterCount], tb = new float[b.ParameterCount];
        a.CopyParametersTo(ta);
        b.CopyParametersTo(tb);
        Assert.That(tb, Is.EqualTo(ta));
    }

    [Test]
    public void CloneContinuesIdentically()
    {
        using Brain brain = Small(7);
        (float[] x, float[] y) = Data(64, seed: 7);
        brain.Train(x, y, 32);
        using Brain copy = brain.Clone();
        Assert.That(copy.Steps, Is.EqualTo(1));
        brain.Train(x.AsSpan(128), y.AsSpan(96), 32);
        copy.Train(x.AsSpan(128), y.AsSpan(96), 32);
        float[] ta = new float[brain.ParameterCount], tb = new float[brain.ParameterCount];
        brain.CopyParametersTo(ta);
        copy.CopyParametersTo(tb);
        Assert.That(tb, Is.EqualTo(ta));
    }

    [Test]
    public void CloneCarriesNameUserDataAndSections()
    {
        using Brain brain = Small(12);
        brain.Name = "seeker";
        brain.UserData["level"] = "3";
        brain.Sections["normaliser"] = new[] { 1f, 2f };
        using Brain copy = brain.Clone();
        Assert.That(copy.Name, Is.EqualTo("seeker"));
        Assert.That(copy.UserData["level"], Is.EqualTo("3"));
        Assert.That(copy.Sections["normaliser"], Is.EqualTo(new[] { 1f, 2f }));
        brain.Sections["normaliser"][0] = 5f;
        Assert.That(copy.Sections["normaliser"][0], Is.EqualTo(1f), "sections are copied, not shared");
    }

    [Test]
    public void TargetNetworkCopyAndBlend()
    {
        using Brain online = Small(8);
        using Brain target = Small(9);
        target.CopyParametersFrom(online);
        float[] a = new float[online.ParameterCount], b = new float[online.ParameterCount];
        online.CopyParametersTo(a);
        target.CopyParametersTo(b);
        Assert.That(b, Is.EqualTo(a));
        (float[] x, float[] y) = Data(32, seed: 8);
        online.Train(x, y, 32);
        float[] moved = new float[online.ParameterCount];
        online.CopyParametersTo(moved);
        target.BlendParametersFrom(online, 0.5f);
        target.CopyParametersTo(b);
        for (int i = 0; i < a.Length; i++) Assert.That(b[i], Is.EqualTo(0.5f * (a[i] + moved[i])).Within(1e-6));
        using Brain other = Brain.Create(4).Dense(5, Activation.Tanh).Build(1);
        Assert.Throws<ArgumentException>(() => target.CopyParametersFrom(other));
    }

    [Test]
    public void LearningRateCanBeScheduled()
    {
        using Brain brain = Small(10);
        brain.Optimizer = brain.Optimizer.WithLearningRate(0.001f);
        Assert.That(brain.Optimizer.LearningRate, Is.EqualTo(0.001f));
        Assert.Throws<ArgumentException>(() => brain.Optimizer = Optimizer.GradientDescent(0.1f));
    }

    [Test]
    public void DisposedBrainThrows()
    {
        Brain brain = Small(11);
        brain.Dispose();
        Assert.Throws<ObjectDisposedException>(() => brain.Predict(new float[4], new float[3], 1));
    }
}
