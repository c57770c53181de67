using System;
using System.Collections.Generic;
using Cortex.Serialization;
using Microsoft.ML.OnnxRuntime;

namespace Cortex.Benchmarks.Quick;

/// <summary>
/// The peer: the mlp_infer rows run by ONNX Runtime (impl "onnxruntime", 1 and 2 intra-op threads) on the
/// model <see cref="OnnxExporter.Export(Brain, OnnxExportOptions?)"/> writes from the same brain. Outputs are
/// checked against Cortex's (within 1e-5) before anything is timed; a row that disagrees fails the run.
/// Each call is <see cref="InferenceSession.RunWithBinding"/> over an <see cref="OrtIoBinding"/> whose input and
/// output are <see cref="OrtValue"/>s over pinned, pre-allocated arrays: no per-call tensor creation, name
/// marshalling or output allocation (measured faster than <c>Run(RunOptions, names, OrtValues, names, OrtValues)</c>).
/// </summary>
public sealed class OnnxRuntimeSuite : IQuickSuite
{
    /// <summary>Largest |cortex − onnxruntime| accepted per output.</summary>
    public const float Tolerance = 1e-5f;

    /// <inheritdoc/>
    public void Run(QuickRunner runner)
    {
        byte[]? model = null;
        foreach (int batch in MlpSuite.InferBatches)
        {
            string caseName = $"mlp_infer_{Models.Name(Models.Agent)}_b{batch}";
            if (!runner.Wants(caseName)) continue;
            using Brain brain = Models.AgentBrain(1024, 1);
            model ??= OnnxExporter.Export(brain);
            var cortex = new MlpSuite.Predict(brain, batch);
            cortex.Invoke();
            foreach (int threads in new[] { 1, 2 })
            {
                using var peer = new Peer(model, threads, cortex.Inputs, batch, brain.Inputs, brain.Outputs);
                peer.Invoke();
                float worst = MaxDifference(cortex.Outputs, peer.Outputs);
                if (!(worst <= Tolerance))
                {
                    runner.Fail(caseName, "onnxruntime", threads, $"outputs differ from cortex by up to {worst:G3} (> {Tolerance:G1}); not timed");
                    continue;
                }
                var action = new Binding(peer);
                MlpSuite.ReportInference(runner, caseName, "onnxruntime", threads, batch, runner.Sample(ref action),
                    new QuickField("max_abs_diff_vs_cortex", worst), new QuickField("api", "RunWithBinding"));
            }
        }
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

    /// <summary>A session with its input and output bound to pinned host arrays.</summary>
    public sealed class Peer : IDisposable
    {
        private readonly List<IDisposable> _owned = new();

        /// <summary>Creates a session on <paramref name="model"/> with <paramref name="threads"/> intra-op threads, bound to a copy of <paramref name="inputs"/>.</summary>
        public Peer(byte[] model, int threads, float[] inputs, int batch, int inputWidth, int outputWidth)
        {
            var options = Own(new SessionOptions
            {
                IntraOpNumThreads = threads,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            });
            Session = Own(new InferenceSession(model, options));
            Inputs = (float[])inputs.Clone();
            Outputs = new float[batch * outputWidth];
            InputValue = Own(OrtValue.CreateTensorValueFromMemory(Inputs, new long[] { batch, inputWidth }));
            OutputValue = Own(OrtValue.CreateTensorValueFromMemory(Outputs, new long[] { batch, outputWidth }));
            RunOptions = Own(new RunOptions());
            IoBinding = Own(Session.CreateIoBinding());
            IoBinding.BindInput("input", InputValue);
            IoBinding.BindOutput("output", OutputValue);
        }

        /// <summary>The session.</summary>
        public InferenceSession Session { get; }

        /// <summary>Bound input (batch, Inputs).</summary>
        public float[] Inputs { get; }

        /// <summary>Bound output (batch, Outputs).</summary>
        public float[] Outputs { get; }

        /// <summary>The input tensor over <see cref="Inputs"/>.</summary>
        public OrtValue InputValue { get; }

        /// <summary>The output tensor over <see cref="Outputs"/>.</summary>
        public OrtValue OutputValue { get; }

        /// <summary>Reused run options.</summary>
        public RunOptions RunOptions { get; }

        /// <summary>The binding of input and output.</summary>
        public OrtIoBinding IoBinding { get; }

        /// <summary>One inference into <see cref="Outputs"/>.</summary>
        public void Invoke() => Session.RunWithBinding(RunOptions, IoBinding);

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
