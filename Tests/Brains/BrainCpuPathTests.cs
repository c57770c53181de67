using System;
using System.Threading;
using Cortex.Backends;
using Cortex.Kernels;
using NUnit.Framework;

namespace Cortex.Tests.Brains;

[TestFixture]
public sealed class BrainCpuPathTests
{
    private static Brain Agent(int threads, int maxBatch = 1024) =>
        Brain.Create(32).Dense(64, Activation.Tanh).Dense(64, Activation.Tanh).Dense(8, Activation.Linear)
            .Loss(Loss.MeanSquaredError).Optimizer(Optimizer.GradientDescent(0.01f)).MaxBatch(maxBatch).Threads(threads).Build(11);

    private static Brain Classifier(int threads, Optimizer optimizer, int maxBatch = 256) =>
        Brain.Create(300).Dense(256, Activation.Relu).Dense(256, Activation.Elu).Dense(10, Activation.Softmax)
            .Loss(Loss.SoftmaxCrossEntropy).Optimizer(optimizer).MaxBatch(maxBatch).Threads(threads).Build(12);

    private static float[] Values(int length, int seed, float lo = -1f, float hi = 1f)
    {
        var random = new SeededRandom((ulong)seed);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = random.NextFloat(lo, hi);
        return values;
    }

    private static float[] OneHot(int rows, int classes, int seed)
    {
        var random = new SeededRandom((ulong)seed);
        var values = new float[rows * classes];
        for (int r = 0; r < rows; r++) values[r * classes + (int)(random.NextFloat(0f, 0.999f) * classes)] = 1f;
        return values;
    }

    // Forward with the reference kernels on the brain's own weights.
    private static float[] Reference(Brain brain, float[] x, int rows)
    {
        float[] theta = new float[brain.ParameterCount];
        brain.CopyParametersTo(theta);
        float[] input = x;
        int offset = 0;
        foreach (Cortex.Layers.Dense layer in brain.Layers)
        {
            int fanIn = layer.Inputs, width = layer.Outputs;
            float[] z = new float[rows * width], y = new float[rows * width];
            GemmNaive.Multiply(z, input, theta.AsSpan(offset, width * fanIn), rows, width, fanIn, false, true, false);
            ActivationKernelsNaive.BiasActivationForward(y, z, theta.AsSpan(offset + width * fanIn, width), layer.Activation, rows, width);
            offset += layer.ParameterCount;
            input = y;
        }
        return input;
    }

    [TestCase(1)]
    [TestCase(3)]
    [TestCase(64)]
    [TestCase(255)]
    [TestCase(256)]
    [TestCase(257)]
    [TestCase(700)]
    [TestCase(2500)]
    public void PredictMatchesTheReferenceKernels(int batch)
    {
        foreach (int threads in new[] { 1, 2 })
        {
            using Brain brain = Agent(threads);
            float[] x = Values(batch * 32, batch), y = new float[batch * 8];
            brain.Predict(x, y, batch);
            float[] expected = Reference(brain, x, batch);
            Assert.That(y, Is.EqualTo(expected).Within(2e-5f), $"{threads} thread(s)");
        }
    }

    [Test]
    public void PredictIsBitwiseIdenticalForOneTwoAndThreeThreads()
    {
        foreach (int batch in new[] { 1, 100, 256, 1000, 2600 })
        {
            float[] x = Values(batch * 300, batch), one = Predict(1), two = Predict(2), three = Predict(3);
            Assert.That(two, Is.EqualTo(one), $"batch {batch}, 2 threads");
            Assert.That(three, Is.EqualTo(one), $"batch {batch}, 3 threads");

            float[] Predict(int threads)
            {
                using Brain brain = Classifier(threads, Optimizer.GradientDescent(0.01f), maxBatch: 1024);
                float[] y = new float[batch * 10];
                brain.Predict(x, y, batch);
                return y;
            }
        }
    }

    [TestCase(OptimizerKind.GradientDescent)]
    [TestCase(OptimizerKind.Momentum)]
    [TestCase(OptimizerKind.Adam)]
    public void TrainingIsBitwiseIdenticalForOneTwoAndThreeThreads(OptimizerKind kind)
    {
        Optimizer optimizer = kind switch
        {
            OptimizerKind.Momentum => Optimizer.WithMomentum(0.01f, 0.9f, nesterov: true),
            OptimizerKind.Adam => Optimizer.Adam(1e-3f).WithGradientClipping(0.5f),
            _ => Optimizer.GradientDescent(0.05f).WithWeightDecay(1e-4f),
        };
        const int batch = 256;
        float[] x = Values(batch * 300, 5, 0f, 1f), t = OneHot(batch, 10, 6);
        float[] one = Train(1), two = Train(2), three = Train(3);
        Assert.That(two, Is.EqualTo(one), "2 threads");
        Assert.That(three, Is.EqualTo(one), "3 threads");

        float[] Train(int threads)
        {
            using Brain brain = Classifier(threads, optimizer);
            for (int step = 0; step < 4; step++) brain.Train(x.AsSpan(0, (batch - step) * 300), t.AsSpan(0, (batch - step) * 10), batch - step);
            float[] theta = new float[brain.ParameterCount];
            brain.CopyParametersTo(theta);
            Assert.That(brain.RejectedSteps, Is.Zero);
            return theta;
        }
    }

    [Test]
    public void AccumulatedGradientsMatchForwardAndBackward()
    {
        // The fused CPU step reads inputs and targets in place; Forward + Backward goes through the backend ops.
        const int batch = 48;
        using Brain brain = Agent(2, maxBatch: 64);
        float[] x = Values(batch * 32, 7), t = Values(batch * 8, 8);
        float loss = brain.AccumulateGradients(x, t, batch);
        float[] fused = new float[brain.ParameterCount];
        brain.CopyGradientsTo(fused);
        brain.ZeroGradients();

        ReadOnlySpan<float> y = brain.Forward(x, batch);
        float[] dy = new float[batch * 8];
        double mse = 0;
        for (int i = 0; i < dy.Length; i++)
        {
            float d = y[i] - t[i];
            dy[i] = 2f * d * (1f / (batch * 8f));
            mse += (double)d * d;
        }
        brain.Backward(dy, batch);
        float[] manual = new float[brain.ParameterCount];
        brain.CopyGradientsTo(manual);

        Assert.That(loss, Is.EqualTo(mse / dy.Length).Within(1e-6));
        for (int i = 0; i < manual.Length; i++) Assert.That(fused[i], Is.EqualTo(manual[i]).Within(1e-6 + 1e-5 * Math.Abs(manual[i])), $"parameter {i}");
    }

    [Test]
    public void BackwardNeedsItsOwnForwardAfterATrainingStep()
    {
        using Brain brain = Agent(1, maxBatch: 8);
        float[] x = Values(8 * 32, 1), t = Values(8 * 8, 2);
        brain.AccumulateGradients(x, t, 8);
        Assert.Throws<InvalidOperationException>(() => brain.Backward(new float[64], 8), "the step did not keep its inputs");
        brain.Forward(x, 8);
        Assert.DoesNotThrow(() => brain.Backward(new float[64], 8));
    }

    [Test]
    public void PredictAndTrainAllocateNothingOnAnyThread()
    {
        using Brain predictor = Agent(2);
        using Brain trainer = Classifier(2, Optimizer.Adam(1e-3f));
        float[] x = Values(1000 * 32, 1), y = new float[1000 * 8], xt = Values(256 * 300, 2, 0f, 1f), t = OneHot(256, 10, 3);
        WorkerPool[] pools = { ((CpuBackend)predictor.Backend).Pool!, ((CpuBackend)trainer.Backend).Pool! };
        for (int i = 0; i < 5; i++)
        {
            predictor.Predict(x, y, 1000);
            trainer.Train(xt, t, 256);
        }
        var before = Probe(pools);
        long callerBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            predictor.Predict(x, y, 1000);
            predictor.Predict(x, y, 1);
            trainer.Train(xt, t, 256);
        }
        long caller = GC.GetAllocatedBytesForCurrentThread() - callerBefore;
        var after = Probe(pools);
        Assert.That(caller, Is.Zero, "calling thread");
        Assert.That(after.Keys, Is.Not.Empty, "the probe reached no worker thread");
        foreach (var (thread, bytes) in after)
            if (before.TryGetValue(thread, out long earlier)) Assert.That(bytes - earlier, Is.Zero, $"worker thread {thread}");
    }

    [Test]
    public void AWorkerAllocatesNothingWhenItFirstMeetsALargerProduct()
    {
        // The cause of the flaky test above: a worker's packed-a buffer grew with the largest product it had run an item
        // of, and which items a worker runs depends on timing; a warm-up could miss the large shape on the worker.
        using var pool = new WorkerPool(2);
        WorkerPool[] pools = { pool };
        float[] a = Values(512 * 512, 1), b = Values(512 * 256, 2), c = new float[512 * 256];
        for (int i = 0; i < 10; i++) Gemm.Multiply(c, a, b, 8, 64, 64, false, false, false, pool);   // warm: small products only
        var before = Probe(pools);
        for (int i = 0; i < 20; i++) Gemm.Multiply(c, a, b, 512, 256, 512, false, false, false, pool);
        var after = Probe(pools);
        Assert.That(after.Keys, Is.Not.Empty, "the probe reached no worker thread");
        foreach (var (thread, bytes) in after)
            if (before.TryGetValue(thread, out long earlier)) Assert.That(bytes - earlier, Is.Zero, $"worker thread {thread}");
    }

    // Allocated bytes of every thread other than the caller that runs an item of a probe round on these pools.
    private static System.Collections.Generic.Dictionary<int, long> Probe(WorkerPool[] pools)
    {
        var probe = new AllocationProbe();
        foreach (WorkerPool pool in pools)
            for (int round = 0; round < 20; round++) pool.Run(probe, 16);
        var seen = new System.Collections.Generic.Dictionary<int, long>();
        for (int i = 0; i < probe.Count; i++) seen[probe.Threads[i]] = probe.Bytes[i];
        return seen;
    }

    // Records, without allocating, the last allocated-bytes reading of each thread that runs an item.
    private sealed class AllocationProbe : IParallelWork
    {
        private readonly int _caller = Environment.CurrentManagedThreadId;
        private int _count;

        public int[] Threads { get; } = new int[64];

        public long[] Bytes { get; } = new long[64];

        public int Count => Volatile.Read(ref _count);

        public void Execute(int item)
        {
            int thread = Environment.CurrentManagedThreadId;
            if (thread != _caller)
            {
                long bytes = GC.GetAllocatedBytesForCurrentThread();
                int slot = Array.IndexOf(Threads, thread, 0, Count);
                if (slot < 0)
                {
                    slot = Interlocked.Increment(ref _count) - 1;
                    Threads[slot] = thread;
                }
                Bytes[slot] = bytes;
            }
            Thread.SpinWait(2000);
        }
    }
}
