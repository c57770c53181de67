using System;
using System.Diagnostics;

namespace Cortex.Samples.Agents;

/// <summary>A small brain learns the two-moons classification, printing progress.</summary>
public static class MoonsDemo
{
    public static int Run(System.IO.TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        (float[] trainX, float[] trainY) = TwoMoons(2000, seed: 1);
        (float[] testX, float[] testY) = TwoMoons(500, seed: 2);
        using Brain brain = Brain.Create(2).Dense(32, Activation.Tanh).Dense(32, Activation.Tanh).Dense(2, Activation.Softmax)
            .Loss(Loss.SoftmaxCrossEntropy).Optimizer(Optimizer.Adam(0.01f)).MaxBatch(64).Build(seed: 42);
        output.WriteLine($"moons: {brain.Spec}, {brain.ParameterCount} parameters");
        for (int epoch = 1; epoch <= 30; epoch++)
        {
            double sum = 0;
            int batches = 0;
            for (int start = 0; start + 64 <= 2000; start += 64, batches++)
            {
                sum += brain.Train(trainX.AsSpan(start * 2, 128), trainY.AsSpan(start * 2, 128), 64);
            }
            if (epoch % 5 == 0 || epoch == 1)
            {
                Evaluation test = brain.Evaluate(testX, testY, 500);
                output.WriteLine($"epoch {epoch,3}  train loss {sum / batches:F4}  test loss {test.Loss:F4}  test accuracy {test.Accuracy:P1}");
            }
        }
        Evaluation final = brain.Evaluate(testX, testY, 500);
        output.WriteLine($"moons: final test loss {final.Loss:F4}, accuracy {final.Accuracy:P1} in {clock.Elapsed.TotalSeconds:F1} s");
        return final.Accuracy >= 0.95f ? 0 : 1;
    }

    public static (float[] X, float[] Y) TwoMoons(int count, ulong seed)
    {
        var random = new SeededRandom(seed);
        float[] x = new float[count * 2], y = new float[count * 2];
        for (int i = 0; i < count; i++)
        {
            int label = i % 2;
            float t = random.NextFloat(0f, MathF.PI);
            x[2 * i] = (label == 0 ? MathF.Cos(t) : 1f - MathF.Cos(t)) + 0.1f * random.NextGaussian();
            x[2 * i + 1] = (label == 0 ? MathF.Sin(t) : 0.5f - MathF.Sin(t)) + 0.1f * random.NextGaussian();
            y[2 * i + label] = 1f;
        }
        return (x, y);
    }
}
