using System;
using Cortex.Backends;

namespace Cortex.Benchmarks.Quick;

/// <summary>The networks and data the quick rows share, so every implementation runs the same weights on the same inputs.</summary>
public static class Models
{
    /// <summary>Seed of every brain's weights.</summary>
    public const ulong Seed = 4;

    /// <summary>Layer widths of the inference / agent network: 32-64-64-8, tanh hidden, linear out.</summary>
    public static readonly int[] Agent = { 32, 64, 64, 8 };

    /// <summary>Layer widths of the MNIST-sized classifier: 784-256-256-10, ReLU hidden, softmax out.</summary>
    public static readonly int[] Mnist = { 784, 256, 256, 10 };

    /// <summary>32-64-64-8 (tanh, tanh, linear), MSE, SGD(0.01), on its own CPU backend or on <paramref name="backend"/>.</summary>
    public static Brain AgentBrain(int maxBatch, int threads, IBackend? backend = null) =>
        Build(Agent, Activation.Tanh, Activation.Linear, Loss.MeanSquaredError, maxBatch, threads, backend);

    /// <summary>
    /// 32-64-64-8 with linear hidden layers (same weights as <see cref="AgentBrain"/>): the multiply-adds and biases of
    /// its inference without the tanh, so the two rows side by side split a pass into its linear part and its activations.
    /// </summary>
    public static Brain LinearAgentBrain(int maxBatch, int threads) =>
        Build(Agent, Activation.Linear, Activation.Linear, Loss.MeanSquaredError, maxBatch, threads, null);

    /// <summary>784-256-256-10 (ReLU, ReLU, softmax), softmax cross-entropy, SGD(0.01).</summary>
    public static Brain MnistBrain(int maxBatch, int threads, IBackend? backend = null) =>
        Build(Mnist, Activation.Relu, Activation.Softmax, Loss.SoftmaxCrossEntropy, maxBatch, threads, backend);

    private static Brain Build(int[] widths, Activation hidden, Activation output, Loss loss, int maxBatch, int threads, IBackend? backend)
    {
        var builder = Brain.Create(widths[0]);
        for (int i = 1; i < widths.Length; i++) builder.Dense(widths[i], i == widths.Length - 1 ? output : hidden);
        builder.Loss(loss).Optimizer(Optimizer.GradientDescent(0.01f)).MaxBatch(maxBatch).Threads(threads);
        if (backend is not null) builder.Backend(backend);
        return builder.Build(Seed);
    }

    /// <summary>Uniform values in [lo, hi) from a seeded generator.</summary>
    public static float[] Uniform(int length, int seed, float lo = -1f, float hi = 1f)
    {
        var rng = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++) values[i] = lo + (hi - lo) * (float)rng.NextDouble();
        return values;
    }

    /// <summary>rows one-hot rows of <paramref name="classes"/> columns with random labels.</summary>
    public static float[] OneHot(int rows, int classes, int seed)
    {
        var rng = new Random(seed);
        var values = new float[rows * classes];
        for (int r = 0; r < rows; r++) values[r * classes + rng.Next(classes)] = 1f;
        return values;
    }

    /// <summary>Σ in·out over the layers of <paramref name="widths"/>.</summary>
    public static long MultiplyAdds(int[] widths)
    {
        long sum = 0;
        for (int i = 0; i + 1 < widths.Length; i++) sum += (long)widths[i] * widths[i + 1];
        return sum;
    }

    /// <summary>Weights and biases of a network.</summary>
    public static long Parameters(int[] widths)
    {
        long sum = 0;
        for (int i = 0; i + 1 < widths.Length; i++) sum += (long)widths[i] * widths[i + 1] + widths[i + 1];
        return sum;
    }

    /// <summary>Flops of one inference call: 2·B·Σ in·out (bias and activation not counted).</summary>
    public static double InferenceFlops(int[] widths, int batch) => 2.0 * batch * MultiplyAdds(widths);

    /// <summary>
    /// Flops of one SGD training step: forward 2·B·Σ in·out, backward 4·B·Σ in·out less the first layer's
    /// dX (2·B·in₀·out₀), update 2 per parameter. Bias, activation and loss not counted.
    /// </summary>
    public static double TrainingFlops(int[] widths, int batch) =>
        6.0 * batch * MultiplyAdds(widths) - 2.0 * batch * widths[0] * widths[1] + 2.0 * Parameters(widths);

    /// <summary>Case name suffix: "32-64-64-8".</summary>
    public static string Name(int[] widths) => string.Join("-", widths);
}
