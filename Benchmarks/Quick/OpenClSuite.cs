using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Cortex.Backends;
using Cortex.OpenCL;
using Cortex.Realtime;

namespace Cortex.Benchmarks.Quick;

/// <summary>
/// Issue 5: the inference and training rows on the best OpenCL device (impl "cortex-opencl", the device in a
/// field; threads = its compute units), and two crossover rows: the smallest power-of-two batch from which
/// the OpenCL backend beats the CPU backend (2 threads) on this machine, for inference of 32-64-64-8 and for
/// training of 784-256-256-10. median = that batch, or −1 when OpenCL never wins up to the largest batch
/// tried; the per-batch time ratios (OpenCL / CPU) are in a field. Issue 17: every row carries what one call
/// asks of the device, counted with <see cref="OpenClBackend.Counters"/> over one call after warm-up calls
/// (launches_per_call, blocking_syncs_per_call, uploads_per_call, downloads_per_call), and agents_think_10000
/// runs on the device beside the CPU row. opencl_counts_* rows give the counts alone (no timing), for every
/// shape the timed rows use: <c>quick opencl_counts</c> reproduces them in seconds. Round two: earlier_work_waits_per_call
/// and the GEMM variant measured for the device on every row, and Brain.TrainPipelined rows (impl cortex-opencl-pipelined).
/// commands_per_call counts every command the driver is given (launches, copies, markers): on a device whose buffers
/// are in shared host memory (shared_memory true) a Predict's upload and download are host copies, not commands.
/// </summary>
public sealed class OpenClSuite : IQuickSuite
{
    private const string Impl = "cortex-opencl";
    private const int InferSearchMax = 16384, TrainSearchMax = 1024, CpuThreads = 2;
    private const int SearchSamples = 5;
    private const double SearchSampleSeconds = 0.02;
    private const string ThinkCase = "agents_think_10000", CountsPrefix = "opencl_counts_";
    private const int Agents = 10_000, Chunks = 100;

    /// <inheritdoc/>
    public void Run(QuickRunner runner)
    {
        string[] cases =
        [
            .. MlpSuite.InferBatches.Select(b => $"mlp_infer_{Models.Name(Models.Agent)}_b{b}"),
            $"mlp_train_{Models.Name(Models.Mnist)}_b64", $"mlp_train_{Models.Name(Models.Mnist)}_b256", $"mlp_train_{Models.Name(Models.Agent)}_b64",
            $"crossover_mlp_infer_{Models.Name(Models.Agent)}", $"crossover_mlp_train_{Models.Name(Models.Mnist)}",
            ThinkCase, CountsPrefix,
        ];
        if (!cases.Any(runner.Wants)) return;

        using IBackend backend = BackendFactory.CreateBest(BackendPreference.OpenCl, 1, out string reason);
        if (backend is not OpenClBackend device)
        {
            foreach (string c in cases) runner.Note(c, Impl, $"no OpenCL device: {reason}");
            return;
        }
        string name = $"{device.Device.Name} ({device.Device.PlatformName})";
        int units = Math.Max(1, device.Device.ComputeUnits);
        var deviceField = new QuickField("device", name);

        foreach (int batch in MlpSuite.InferBatches)
        {
            string caseName = $"mlp_infer_{Models.Name(Models.Agent)}_b{batch}";
            if (!runner.Wants(caseName)) continue;
            using Brain cpu = Models.AgentBrain(1024, 1);
            using Brain ocl = Models.AgentBrain(1024, 1, device);
            var reference = new MlpSuite.Predict(cpu, batch);
            var action = new MlpSuite.Predict(ocl, batch);
            reference.Invoke();
            action.Invoke();
            float worst = MaxDifference(reference.Outputs, action.Outputs);
            if (!(worst <= 1e-4f))
            {
                runner.Fail(caseName, Impl, units, $"outputs differ from the CPU backend by up to {worst:G3}; not timed");
                continue;
            }
            QuickField[] counts = Counts(device, ref action);
            MlpSuite.ReportInference(runner, caseName, Impl, units, batch, runner.Sample(ref action),
                [deviceField, new QuickField("max_abs_diff_vs_cpu", worst), .. counts]);
        }

        Train(runner, device, units, deviceField, Models.Mnist, 64, true);
        Train(runner, device, units, deviceField, Models.Mnist, 256, true);
        Train(runner, device, units, deviceField, Models.Agent, 64, false);
        TrainPipelined(runner, device, units, deviceField, 256);

        Think(runner, device, units, deviceField);
        CountsOnly(runner, device, units, deviceField);
        InferCrossover(runner, device, units, deviceField);
        TrainCrossover(runner, device, units, deviceField);
    }

    private static void Train(QuickRunner runner, OpenClBackend device, int units, QuickField deviceField, int[] widths, int batch, bool mnist)
    {
        string caseName = $"mlp_train_{Models.Name(widths)}_b{batch}";
        if (!runner.Wants(caseName)) return;
        using Brain brain = mnist ? Models.MnistBrain(batch, 1, device) : Models.AgentBrain(batch, 1, device);
        var action = new MlpSuite.TrainStep(brain, batch, mnist);
        QuickField[] counts = Counts(device, ref action);
        MlpSuite.Report(runner, caseName, Impl, units, widths, batch, runner.Sample(ref action), brain.RejectedSteps, [deviceField, .. counts]);
    }

    // Brain.TrainPipelined (impl cortex-opencl-pipelined): the step queued whole, the previous step's loss returned.
    private static void TrainPipelined(QuickRunner runner, OpenClBackend device, int units, QuickField deviceField, int batch)
    {
        string caseName = $"mlp_train_{Models.Name(Models.Mnist)}_b{batch}";
        if (!runner.Wants(caseName)) return;
        using Brain brain = Models.MnistBrain(batch, 1, device);
        var action = new PipelinedStep(brain, batch);
        QuickField[] counts = Counts(device, ref action);
        MlpSuite.Report(runner, caseName, Impl + "-pipelined", units, Models.Mnist, batch, runner.Sample(ref action), brain.RejectedSteps, [deviceField, .. counts]);
    }

    /// <summary>One <see cref="Brain.TrainPipelined"/> step on MlpSuite.TrainStep's classifier batch.</summary>
    private readonly struct PipelinedStep : IQuickAction
    {
        private readonly Brain _brain;
        private readonly float[] _x, _t;
        private readonly int _batch;

        public PipelinedStep(Brain brain, int batch)
        {
            _brain = brain;
            _batch = batch;
            _x = Models.Uniform(batch * brain.Inputs, 200 + batch, 0f, 1f);
            _t = Models.OneHot(batch, brain.Outputs, 300 + batch);
        }

        public void Invoke() => _brain.TrainPipelined(_x, _t, _batch);
    }

    // agents_think_10000 on the device: the same tick as RealtimeSuite's CPU rows (100 Submits of 100 agents, one Think).
    private static void Think(QuickRunner runner, OpenClBackend device, int units, QuickField deviceField)
    {
        if (!runner.Wants(ThinkCase)) return;
        using Brain brain = Models.AgentBrain(Agents, 1, device);
        var registry = new BrainRegistry();
        BrainHandle handle = registry.Register(brain);
        var system = new ThinkSystem(registry, rowsPerBrain: Agents, columnsPerTick: Chunks);
        var action = new RealtimeSuite.ThinkTick(system, handle);
        QuickField[] counts = Counts(device, ref action);
        QuickSamples s = runner.Sample(ref action);
        runner.Report(ThinkCase, Impl, units, "us", s.Seconds.Select(t => t * 1e6).ToArray(),
        [
            new QuickField("bytes_per_call", s.BytesPerCall), new QuickField("gflops", Models.InferenceFlops(Models.Agent, Agents) / s.Median / 1e9),
            new QuickField("brain_calls", system.LastTick.BrainCalls), deviceField, .. counts,
        ]);
    }

    // The counts alone, one row per call shape (metric "launches", one sample): fast enough to rerun after every change.
    private static void CountsOnly(QuickRunner runner, OpenClBackend device, int units, QuickField deviceField)
    {
        foreach (int batch in new[] { 1, 1024 })
        {
            string caseName = $"{CountsPrefix}predict_{Models.Name(Models.Agent)}_b{batch}";
            if (!runner.Wants(caseName)) continue;
            using Brain brain = Models.AgentBrain(batch, 1, device);
            var action = new MlpSuite.Predict(brain, batch);
            CountRow(runner, caseName, units, deviceField, Counts(device, ref action));
        }
        foreach ((int[] widths, int batch, bool mnist) in new[] { (Models.Mnist, 64, true), (Models.Mnist, 256, true), (Models.Agent, 64, false) })
        {
            string caseName = $"{CountsPrefix}train_{Models.Name(widths)}_b{batch}";
            if (!runner.Wants(caseName)) continue;
            using Brain brain = mnist ? Models.MnistBrain(batch, 1, device) : Models.AgentBrain(batch, 1, device);
            var action = new MlpSuite.TrainStep(brain, batch, mnist);
            CountRow(runner, caseName, units, deviceField, Counts(device, ref action));
        }
        string pipelined = $"{CountsPrefix}train_pipelined_{Models.Name(Models.Mnist)}_b256";
        if (runner.Wants(pipelined))
        {
            using Brain brain = Models.MnistBrain(256, 1, device);
            var action = new PipelinedStep(brain, 256);
            CountRow(runner, pipelined, units, deviceField, Counts(device, ref action));
        }
        string think = $"{CountsPrefix}think_{Agents}";
        if (runner.Wants(think))
        {
            using Brain brain = Models.AgentBrain(Agents, 1, device);
            var registry = new BrainRegistry();
            var system = new ThinkSystem(registry, rowsPerBrain: Agents, columnsPerTick: Chunks);
            var action = new RealtimeSuite.ThinkTick(system, registry.Register(brain));
            CountRow(runner, think, units, deviceField, Counts(device, ref action));
        }
    }

    private static void CountRow(QuickRunner runner, string caseName, int units, QuickField deviceField, QuickField[] counts) =>
        runner.Report(caseName, Impl, units, "launches", [Convert.ToDouble(counts[0].Value, CultureInfo.InvariantCulture)], [deviceField, .. counts]);

    // What one call asks of the device, after two warm-up calls (first-use allocations, and the staging ring growing to
    // hold a pipelined step's inputs beside the previous step's, are not per call).
    private static QuickField[] Counts<TAction>(OpenClBackend device, ref TAction action) where TAction : struct, IQuickAction
    {
        action.Invoke();
        action.Invoke();
        OpenClCounters before = device.Counters;
        long commands = device.CommandsQueued;
        action.Invoke();
        OpenClCounters d = device.Counters - before;
        return
        [
            new QuickField("launches_per_call", d.KernelLaunches), new QuickField("blocking_syncs_per_call", d.BlockingWaits),
            new QuickField("uploads_per_call", d.Uploads), new QuickField("downloads_per_call", d.Downloads),
            new QuickField("earlier_work_waits_per_call", d.EarlierWorkWaits), new QuickField("gemm_variant", device.GemmVariant),
            new QuickField("commands_per_call", device.CommandsQueued - commands), new QuickField("shared_memory", device.AllocatesShared),
        ];
    }

    private static void InferCrossover(QuickRunner runner, OpenClBackend device, int units, QuickField deviceField)
    {
        string caseName = $"crossover_mlp_infer_{Models.Name(Models.Agent)}";
        if (!runner.Wants(caseName)) return;
        using Brain cpu = Models.AgentBrain(InferSearchMax, CpuThreads);
        using Brain ocl = Models.AgentBrain(InferSearchMax, 1, device);
        var ratios = new List<(int Batch, double Ratio)>();
        for (int batch = 1; batch <= InferSearchMax; batch *= 2)
        {
            var c = new MlpSuite.Predict(cpu, batch);
            var o = new MlpSuite.Predict(ocl, batch);
            double tc = runner.Sample(ref c, SearchSamples, SearchSampleSeconds).Median;
            double to = runner.Sample(ref o, SearchSamples, SearchSampleSeconds).Median;
            ratios.Add((batch, to / tc));
        }
        ReportCrossover(runner, caseName, units, deviceField, ratios);
    }

    private static void TrainCrossover(QuickRunner runner, OpenClBackend device, int units, QuickField deviceField)
    {
        string caseName = $"crossover_mlp_train_{Models.Name(Models.Mnist)}";
        if (!runner.Wants(caseName)) return;
        using Brain cpu = Models.MnistBrain(TrainSearchMax, CpuThreads);
        using Brain ocl = Models.MnistBrain(TrainSearchMax, 1, device);
        var ratios = new List<(int Batch, double Ratio)>();
        for (int batch = 1; batch <= TrainSearchMax; batch *= 2)
        {
            var c = new MlpSuite.TrainStep(cpu, batch, true);
            var o = new MlpSuite.TrainStep(ocl, batch, true);
            double tc = runner.Sample(ref c, SearchSamples, SearchSampleSeconds).Median;
            double to = runner.Sample(ref o, SearchSamples, SearchSampleSeconds).Median;
            ratios.Add((batch, to / tc));
        }
        ReportCrossover(runner, caseName, units, deviceField, ratios);
    }

    // The crossover is the smallest batch from which OpenCL is faster at every larger batch tried.
    private static void ReportCrossover(QuickRunner runner, string caseName, int units, QuickField deviceField, List<(int Batch, double Ratio)> ratios)
    {
        int crossover = -1;
        for (int i = ratios.Count - 1; i >= 0 && ratios[i].Ratio < 1.0; i--) crossover = ratios[i].Batch;
        string table = string.Join(" ", ratios.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Batch}:{r.Ratio:G3}")));
        string note = crossover > 0
            ? $"OpenCL is faster than the CPU backend ({CpuThreads} threads) from batch {crossover} on"
            : $"OpenCL never beats the CPU backend ({CpuThreads} threads) up to batch {ratios[^1].Batch}; best ratio {ratios.Min(r => r.Ratio):G3} at batch {ratios.MinBy(r => r.Ratio).Batch}";
        runner.Report(caseName, Impl, units, "batch", [crossover], deviceField,
            new QuickField("cpu_threads", CpuThreads), new QuickField("searched", $"1..{ratios[^1].Batch}"),
            new QuickField("opencl_over_cpu_time", table), new QuickField("note", note));
    }

    private static float MaxDifference(float[] a, float[] b)
    {
        float worst = 0f;
        for (int i = 0; i < a.Length; i++)
        {
            float d = MathF.Abs(a[i] - b[i]);
            if (!(d <= worst)) worst = d;
        }
        return worst;
    }
}
