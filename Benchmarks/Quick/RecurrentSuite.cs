using System;
using System.Collections.Generic;
using System.Linq;
using Cortex.Layers;
using Cortex.Serialization;
using Microsoft.ML.OnnxRuntime;

namespace Cortex.Benchmarks.Quick;

/// <summary>
/// Brains with memory: <c>gru_think_1000x64</c> (µs per <see cref="RecurrentBrain.Think"/> of 1,000 agents, one step of
/// GRU(64) on 16 inputs, then Dense(32, tanh) and Dense(4)) for Cortex and, as the same-run peer, ONNX Runtime running the
/// model <see cref="RecurrentOnnxExporter"/> writes from the same brain (impl "onnxruntime", outputs and final state
/// checked within 1e-5 before timing; its rows carry <c>cortex_over_ort</c>, Cortex's median over ORT's on the same thread
/// count); and <c>gru_bptt_train_64x16</c> (µs per <see cref="RecurrentBrain.TrainSequence(System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, int, int, Cortex.Layers.TruncatedBptt)"/>: 64 sequences of 16 steps,
/// full backpropagation through time, Adam). CPU backend, 1 and 2 threads.
/// </summary>
public sealed class RecurrentSuite : IQuickSuite
{
    /// <summary>Observation width.</summary>
    public const int Inputs = 16;

    /// <summary>GRU units.</summary>
    public const int Hidden = 64;

    /// <summary>Agents per Think call.</summary>
    public const int Agents = 1000;

    /// <summary>Sequences per training step.</summary>
    public const int TrainBatch = 64;

    /// <summary>Steps per training sequence.</summary>
    public const int TrainSteps = 16;

    /// <summary>Largest |cortex − onnxruntime| accepted per output and state value.</summary>
    public const float Tolerance = 1e-5f;

    /// <summary>The think row's case name.</summary>
    public static string ThinkCase => $"gru_think_{Agents}x{Hidden}";

    /// <summary>The training row's case name.</summary>
    public static string TrainCase => $"gru_bptt_train_{TrainBatch}x{TrainSteps}";

    /// <summary>16 → GRU(64) → Dense(32, tanh) → Dense(4), MSE, Adam(1e-3) with clipping at 1, on its own CPU backend.</summary>
    public static RecurrentBrain BuildBrain(int maxAgents, int maxSteps, int threads) =>
        Cortex.Brain.Create(Inputs).Gru(Hidden).Dense(32, Activation.Tanh).Dense(4, Activation.Linear)
            .Optimizer(Optimizer.Adam(1e-3f).WithGradientClipping(1f)).MaxAgents(maxAgents).MaxSequence(maxSteps).Threads(threads).Build(Models.Seed);

    /// <inheritdoc/>
    public void Run(QuickRunner runner)
    {
        int[] threadCounts = { 1, 2 };
        if (runner.Wants(ThinkCase))
        {
            byte[]? model = null;
            foreach (int threads in threadCounts)
            {
                using RecurrentBrain brain = BuildBrain(Agents, 1, threads);
                model ??= RecurrentOnnxExporter.Export(brain);
                var action = new Think(brain);
                QuickSamples s = runner.Sample(ref action);
                runner.Report(ThinkCase, "cortex", threads, "us", s.Seconds.Select(t => t * 1e6).ToArray(),
                    new QuickField("bytes_per_call", s.BytesPerCall), new QuickField("agents", Agents));
            }
            foreach (int threads in threadCounts) RunPeer(runner, model!, threads);
        }

        if (runner.Wants(TrainCase))
        {
            foreach (int threads in threadCounts)
            {
                using RecurrentBrain brain = BuildBrain(TrainBatch, TrainSteps, threads);
                var action = new TrainSequence(brain);
                QuickSamples s = runner.Sample(ref action);
                runner.Report(TrainCase, "cortex", threads, "us", s.Seconds.Select(t => t * 1e6).ToArray(),
                    new QuickField("bytes_per_call", s.BytesPerCall), new QuickField("sequences", TrainBatch), new QuickField("steps", TrainSteps));
            }
        }
    }

    private static void RunPeer(QuickRunner runner, byte[] model, int threads)
    {
        // The check: one Think from a non-zero state against one ORT run from the same state.
        using RecurrentBrain brain = BuildBrain(Agents, 1, 1);
        float[] x = Models.Uniform(Agents * Inputs, 400), h0 = Models.Uniform(Agents * Hidden, 401, -0.5f, 0.5f);
        float[] state = (float[])h0.Clone(), expected = new float[Agents * brain.Outputs];
        brain.Think(x, state, expected, Agents);
        using var peer = new Peer(model, threads, x, h0, brain.Outputs);
        peer.Invoke();
        float worst = Math.Max(MaxDifference(expected, peer.Outputs), MaxDifference(state, peer.FinalState));
        if (!(worst <= Tolerance))
        {
            runner.Fail(ThinkCase, "onnxruntime", threads, $"outputs differ from cortex by up to {worst:G3} (> {Tolerance:G1}); not timed");
            return;
        }
        var action = new Binding(peer);
        QuickSamples s = runner.Sample(ref action);
        double cortex = runner.MedianOf(ThinkCase, "cortex", threads);
        runner.Report(ThinkCase, "onnxruntime", threads, "us", s.Seconds.Select(t => t * 1e6).ToArray(),
            new QuickField("bytes_per_call", s.BytesPerCall), new QuickField("agents", Agents),
            new QuickField("cortex_over_ort", cortex / (s.Median * 1e6)), new QuickField("max_abs_diff_vs_cortex", worst), new QuickField("api", "RunWithBinding"));
    }

    private static float MaxDifference(float[] a, float[] b)
    {
        float worst = 0f;
        for (int i = 0; i < a.Length; i++)
        {
            float d = MathF.Abs(a[i] - b[i]);
            if (!(d <= worst)) worst = d;       // NaN wins
        }
        return worst;
    }

    /// <summary>One tick for every agent: their states are updated in place, as a game's would be.</summary>
    public struct Think : IQuickAction
    {
        private readonly RecurrentBrain _brain;
        private readonly float[] _x, _state, _y;

        /// <summary>Seeded observations, zero states.</summary>
        public Think(RecurrentBrain brain)
        {
            _brain = brain;
            _x = Models.Uniform(Agents * brain.Inputs, 400);
            _state = new float[Agents * brain.StateWidth];
            _y = new float[Agents * brain.Outputs];
        }

        /// <inheritdoc/>
        public readonly void Invoke() => _brain.Think(_x, _state, _y, Agents);
    }

    /// <summary>One optimizer step on a fixed batch of seeded sequences (full BPTT).</summary>
    public struct TrainSequence : IQuickAction
    {
        private readonly RecurrentBrain _brain;
        private readonly float[] _x, _t;

        /// <summary>Inputs and targets in [-1, 1), time-major.</summary>
        public TrainSequence(RecurrentBrain brain)
        {
            _brain = brain;
            _x = Models.Uniform(TrainSteps * TrainBatch * brain.Inputs, 500);
            _t = Models.Uniform(TrainSteps * TrainBatch * brain.Outputs, 501);
        }

        /// <inheritdoc/>
        public readonly void Invoke() => _brain.TrainSequence(_x, _t, default, TrainBatch, TrainSteps, TruncatedBptt.Full);
    }

    /// <summary>An ORT session on the exported GRU brain, one step for every agent, inputs and outputs bound to pinned arrays.</summary>
    public sealed class Peer : IDisposable
    {
        private readonly List<IDisposable> _owned = new();
        private readonly InferenceSession _session;
        private readonly RunOptions _runOptions;
        private readonly OrtIoBinding _binding;

        /// <summary>Binds input (1, agents, In), initial_state (1, agents, H), output (1, agents, Out) and state (1, agents, H).</summary>
        public Peer(byte[] model, int threads, float[] inputs, float[] initialState, int outputs)
        {
            var options = Own(new SessionOptions
            {
                IntraOpNumThreads = threads,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            });
            _session = Own(new InferenceSession(model, options));
            Outputs = new float[Agents * outputs];
            FinalState = new float[Agents * Hidden];
            _runOptions = Own(new RunOptions());
            _binding = Own(_session.CreateIoBinding());
            _binding.BindInput("input", Own(OrtValue.CreateTensorValueFromMemory((float[])inputs.Clone(), new long[] { 1, Agents, Inputs })));
            _binding.BindInput(RecurrentOnnxExporter.InitialStateName,
                Own(OrtValue.CreateTensorValueFromMemory((float[])initialState.Clone(), new long[] { 1, Agents, Hidden })));
            _binding.BindOutput("output", Own(OrtValue.CreateTensorValueFromMemory(Outputs, new long[] { 1, Agents, outputs })));
            _binding.BindOutput(RecurrentOnnxExporter.FinalStateName, Own(OrtValue.CreateTensorValueFromMemory(FinalState, new long[] { 1, Agents, Hidden })));
        }

        /// <summary>Bound output (agents, Out).</summary>
        public float[] Outputs { get; }

        /// <summary>Bound final state (agents, H).</summary>
        public float[] FinalState { get; }

        /// <summary>One step for every agent.</summary>
        public void Invoke() => _session.RunWithBinding(_runOptions, _binding);

        /// <inheritdoc/>
        public void Dispose()
        {
            for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        }

        private T Own<T>(T value) where T : IDisposable
        {
            _owned.Add(value);
            return value;
        }
    }

    private readonly struct Binding : IQuickAction
    {
        private readonly Peer _peer;

        public Binding(Peer peer) => _peer = peer;

        public void Invoke() => _peer.Invoke();
    }
}
