using System;
using NUnit.Framework;

namespace Cortex.Tests.Brains;

/// <summary>Learning works, from fixed seeds, in a bounded number of steps.</summary>
[TestFixture]
public sealed class LearningTests
{
    [Test]
    public void LearnsXor()
    {
        float[] x = { 0, 0, 0, 1, 1, 0, 1, 1 }, c = { 0, 1, 1, 0 };
        using Brain brain = Brain.Create(2).Dense(8, Activation.Tanh).Dense(1, Activation.Sigmoid)
            .Loss(Loss.BinaryCrossEntropy).Optimizer(Optimizer.Adam(0.05f)).MaxBatch(4).Build(seed: 1);
        for (int step = 0; step < 500; step++) brain.Train(x, c, 4);
        Evaluation e = brain.Evaluate(x, c, 4);
        Assert.That(e.Accuracy, Is.EqualTo(1f), $"loss {e.Loss}");
        Assert.That(e.Loss, Is.LessThan(0.05f));
    }

    [Test]
    public void ClassifiesTwoMoons()
    {
        (float[] trainX, float[] trainY) = TwoMoons(1000, seed: 2);
        (float[] testX, float[] testY) = TwoMoons(400, seed: 3);
        using Brain brain = Brain.Create(2).Dense(32, Activation.Tanh).Dense(32, Activation.Tanh).Dense(2, Activation.Softmax)
            .Loss(Loss.SoftmaxCrossEntropy).Optimizer(Optimizer.Adam(0.01f)).MaxBatch(50).Build(seed: 4);
        for (int epoch = 0; epoch < 40; epoch++)
        {
            for (int start = 0; start < 1000; start += 50)
            {
                brain.Train(trainX.AsSpan(start * 2, 100), trainY.AsSpan(start * 2, 100), 50);
            }
        }
        Evaluation test = brain.Evaluate(testX, testY, 400);
        Assert.That(test.Accuracy, Is.GreaterThanOrEqualTo(0.95f), $"held-out loss {test.Loss}");
    }

    [Test]
    public void RegressesSine()
    {
        var random = new SeededRandom(5);
        using Brain brain = Brain.Create(1).Dense(32, Activation.Tanh).Dense(32, Activation.Tanh).Dense(1, Activation.Linear)
            .Loss(Loss.MeanSquaredError).Optimizer(Optimizer.Adam(0.01f)).MaxBatch(64).Build(seed: 6);
        float[] x = new float[64], y = new float[64];
        for (int step = 0; step < 4000; step++)
        {
            if (step == 2000 || step == 3000) brain.Optimizer = brain.Optimizer.WithLearningRate(brain.Optimizer.LearningRate * 0.2f); // step decay
            for (int i = 0; i < 64; i++) { x[i] = random.NextFloat(-MathF.PI, MathF.PI); y[i] = MathF.Sin(x[i]); }
            brain.Train(x, y, 64);
        }
        float[] gridX = new float[200], gridY = new float[200];
        for (int i = 0; i < 200; i++) { gridX[i] = -MathF.PI + 2 * MathF.PI * i / 199; gridY[i] = MathF.Sin(gridX[i]); }
        Evaluation e = brain.Evaluate(gridX, gridY, 200);
        Assert.That(e.Loss, Is.LessThanOrEqualTo(1e-3f));
    }

    /// <summary>The two-moons data set: two interleaved half circles with Gaussian noise 0.1, one-hot labels.</summary>
    internal static (float[] X, float[] Y) TwoMoons(int count, ulong seed)
    {
        var random = new SeededRandom(seed);
        float[] x = new float[count * 2], y = new float[count * 2];
        for (int i = 0; i < count; i++)
        {
            int label = i % 2;
            float t = random.NextFloat(0f, MathF.PI);
            float px = label == 0 ? MathF.Cos(t) : 1f - MathF.Cos(t);
            float py = label == 0 ? MathF.Sin(t) : 0.5f - MathF.Sin(t);
            x[2 * i] = px + 0.1f * random.NextGaussian();
            x[2 * i + 1] = py + 0.1f * random.NextGaussian();
            y[2 * i + label] = 1f;
        }
        return (x, y);
    }
}
