using System;
using System.Linq;

namespace Cortex.Benchmarks.Quick;

/// <summary>
/// mlp_infer_32-64-64-8_bB (µs per <see cref="Brain.Predict"/> call, B = 1, 64, 1024) and
/// mlp_train_… (steps/s of <see cref="Brain.Train(ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/>, with achieved
/// GFLOP/s and its share of fma_peak, and the per-step tail of <see cref="QuickRunner.CallTail"/>), on the CPU backend with 1 and 2 threads.
/// </summary>
public sealed class MlpSuite : IQuickSuite
{
    /// <summary>Batch sizes of the inference rows.</summary>
    public static readonly int[] InferBatches = { 1, 64, 1024 };

    /// <inheritdoc/>
    public void Run(QuickRunner runner)
    {
        foreach (int batch in InferBatches)
        {
            string caseName = $"mlp_infer_{Models.Name(Models.Agent)}_b{batch}";
            if (!runner.Wants(caseName)) continue;
            foreach (int threads in new[] { 1, 2 })
            {
                using Brain brain = Models.AgentBrain(1024, threads);
                var action = new Predict(brain, batch);
                ReportInference(runner, caseName, "cortex", threads, batch, runner.Sample(ref action));
            }
        }

        // The same pass with linear hidden layers, on one thread: what the multiply-adds alone cost.
        string linearCase = $"mlp_infer_{Models.Name(Models.Agent)}-linear_b1024";
        if (runner.Wants(linearCase))
        {
            using Brain brain = Models.LinearAgentBrain(1024, 1);
            var action = new Predict(brain, 1024);
            ReportInference(runner, linearCase, "cortex", 1, 1024, runner.Sample(ref action));
        }

        Train(runner, Models.Mnist, 64, (b, t) => Models.MnistBrain(b, t), 10);
        Train(runner, Models.Mnist, 256, (b, t) => Models.MnistBrain(b, t), 10);
        Train(runner, Models.Agent, 64, (b, t) => Models.AgentBrain(b, t), 8);
    }

    private static void Train(QuickRunner runner, int[] widths, int batch, Func<int, int, Brain> build, int outputs)
    {
        string caseName = $"mlp_train_{Models.Name(widths)}_b{batch}";
        if (!runner.Wants(caseName)) return;
        foreach (int threads in new[] { 1, 2 })
        {
            using Brain brain = build(batch, threads);
            var action = new TrainStep(brain, batch, outputs == 10);
            QuickSamples s = runner.Sample(ref action);
            Report(runner, caseName, "cortex", threads, widths, batch, s, brain.RejectedSteps, QuickRunner.CallTail(ref action));
        }
    }

    /// <summary>Writes an inference row: µs per call, with bytes per call, GFLOP/s and its share of the same run's fma_peak on as many threads (NaN without one).</summary>
    public static void ReportInference(QuickRunner runner, string caseName, string impl, int threads, int batch, QuickSamples s, params QuickField[] extra)
    {
        double gflops = Models.InferenceFlops(Models.Agent, batch) / s.Median / 1e9;
        runner.Report(caseName, impl, threads, "us", s.Seconds.Select(t => t * 1e6).ToArray(),
        [
            new QuickField("bytes_per_call", s.BytesPerCall),
            new QuickField("gflops", gflops),
            new QuickField("pct_fma_peak", 100.0 * gflops / runner.MedianOf("fma_peak", threads)),
            .. extra,
        ]);
    }

    /// <summary>Writes a training row: steps/s with GFLOP/s and % of the same run's fma_peak on the same thread count.</summary>
    public static void Report(QuickRunner runner, string caseName, string impl, int threads, int[] widths, int batch, QuickSamples s, long rejected,
        params QuickField[] extra)
    {
        double flops = Models.TrainingFlops(widths, batch);
        double[] stepsPerSecond = s.Seconds.Select(t => 1.0 / t).ToArray();
        double gflops = flops / s.Median / 1e9;
        double peak = runner.MedianOf("fma_peak", threads);
        runner.Report(caseName, impl, threads, "steps/s", stepsPerSecond,
        [
            new QuickField("bytes_per_call", s.BytesPerCall),
            new QuickField("gflops", gflops),
            new QuickField("pct_fma_peak", double.IsNaN(peak) ? double.NaN : 100.0 * gflops / peak),
            new QuickField("flops_per_step", flops),
            new QuickField("rejected_steps", rejected),
            .. extra,
        ]);
    }

    /// <summary>One Predict of a fixed batch of seeded inputs.</summary>
    public struct Predict : IQuickAction
    {
        private readonly Brain _brain;
        private readonly float[] _x, _y;
        private readonly int _batch;

        /// <summary>Prepares inputs (batch, Inputs) and outputs.</summary>
        public Predict(Brain brain, int batch)
        {
            _brain = brain;
            _batch = batch;
            _x = Models.Uniform(batch * brain.Inputs, 100 + batch);
            _y = new float[batch * brain.Outputs];
        }

        /// <summary>The outputs of the last call.</summary>
        public readonly float[] Outputs => _y;

        /// <summary>The inputs.</summary>
        public readonly float[] Inputs => _x;

        /// <inheritdoc/>
        public readonly void Invoke() => _brain.Predict(_x, _y, _batch);
    }

    /// <summary>One Train step on a fixed seeded batch.</summary>
    public struct TrainStep : IQuickAction
    {
        private readonly Brain _brain;
        private readonly float[] _x, _t;
        private readonly int _batch;

        /// <summary>Prepares a batch: inputs in [0, 1) and one-hot targets for a classifier, inputs in [-1, 1) and targets in [-1, 1) otherwise.</summary>
        public TrainStep(Brain brain, int batch, bool classifier)
        {
            _brain = brain;
            _batch = batch;
            _x = classifier ? Models.Uniform(batch * brain.Inputs, 200 + batch, 0f, 1f) : Models.Uniform(batch * brain.Inputs, 200 + batch);
            _t = classifier ? Models.OneHot(batch, brain.Outputs, 300 + batch) : Models.Uniform(batch * brain.Outputs, 300 + batch);
        }

        /// <inheritdoc/>
        public readonly void Invoke() => _brain.Train(_x, _t, _batch);
    }
}
