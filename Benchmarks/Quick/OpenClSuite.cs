using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Cortex.Backends;
using Cortex.OpenCL;

namespace Cortex.Benchmarks.Quick;

/// <summary>
/// Issue 5: the inference and training rows on the best OpenCL device (impl "cortex-opencl", the device in a
/// field; threads = its compute units), and two crossover rows: the smallest power-of-two batch from which
/// the OpenCL backend beats the CPU backend (2 threads) on this machine, for inference of 32-64-64-8 and for
/// training of 784-256-256-10. median = that batch, or −1 when OpenCL never wins up to the largest batch
/// tried; the per-batch time ratios (OpenCL / CPU) are in a field.
/// </summary>
public sealed class OpenClSuite : IQuickSuite
{
    private const string Impl = "cortex-opencl";
    private const int InferSearchMax = 16384, TrainSearchMax = 1024, CpuThreads = 2;
    private const int SearchSamples = 5;
    private const double SearchSampleSeconds = 0.02;

    /// <inheritdoc/>
    public void Run(QuickRunner runner)
    {
        string[] cases =
        [
            .. MlpSuite.InferBatches.Select(b => $"mlp_infer_{Models.Name(Models.Agent)}_b{b}"),
            $"mlp_train_{Models.Name(Models.Mnist)}_b64", $"mlp_train_{Models.Name(Models.Mnist)}_b256", $"mlp_train_{Models.Name(Models.Agent)}_b64",
            $"crossover_mlp_infer_{Models.Name(Models.Agent)}", $"crossover_mlp_train_{Models.Name(Models.Mnist)}",
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
            MlpSuite.ReportInference(runner, caseName, Impl, units, batch, runner.Sample(ref action), deviceField, new QuickField("max_abs_diff_vs_cpu", worst));
        }

        Train(runner, device, units, deviceField, Models.Mnist, 64, true);
        Train(runner, device, units, deviceField, Models.Mnist, 256, true);
        Train(runner, device, units, deviceField, Models.Agent, 64, false);

        InferCrossover(runner, device, units, deviceField);
        TrainCrossover(runner, device, units, deviceField);
    }

    private static void Train(QuickRunner runner, OpenClBackend device, int units, QuickField deviceField, int[] widths, int batch, bool mnist)
    {
        string caseName = $"mlp_train_{Models.Name(widths)}_b{batch}";
        if (!runner.Wants(caseName)) return;
        using Brain brain = mnist ? Models.MnistBrain(batch, 1, device) : Models.AgentBrain(batch, 1, device);
        var action = new MlpSuite.TrainStep(brain, batch, mnist);
        MlpSuite.Report(runner, caseName, Impl, units, widths, batch, runner.Sample(ref action), brain.RejectedSteps, deviceField);
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
