using System;
using System.Globalization;

namespace Cortex.Samples.Agents;

/// <summary>The <c>delay</c> command: runs <see cref="DelayRecall"/>, prints the delay table and writes the plots.</summary>
public static class DelayRun
{
    public static int Run(Options options)
    {
        var settings = new DelaySettings { Seed = options.Seed, Threads = options.Threads };
        if (options.Delays is int[] delays) settings.Delays = delays;
        if (options.Steps is int steps) settings.MaxTrainSteps = steps;
        SamplePaths.CheckOutputDirectory(options.OutputDirectory);
        Console.WriteLine($"delay: recall a bit after T steps of noise, Elman RNN vs GRU ({settings.Hidden} units), Adam {settings.LearningRate.ToString(CultureInfo.InvariantCulture)}, "
            + $"batch {settings.Batch}, at most {settings.MaxTrainSteps} steps per delay, {settings.HeldOut} held-out sequences, seed {settings.Seed}");
        DelayResult result = DelayRecall.Run(settings, Console.WriteLine);

        Console.WriteLine();
        Console.WriteLine("| delay T | Elman accuracy | Elman steps to 95 % | GRU accuracy | GRU steps to 95 % |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        for (int i = 0; i < result.Elman.Count; i++)
        {
            DelayCell e = result.Elman[i], g = result.Gru[i];
            Console.WriteLine($"| {e.Delay} | {Percent(e.Accuracy)} | {StepsTo(e)} | {Percent(g.Accuracy)} | {StepsTo(g)} |");
        }
        Console.WriteLine();
        Console.WriteLine($"gradient plot: {SamplePaths.Write("gradient plot", () => DelayPlots.Gradients(result, options.OutputDirectory))}");
        Console.WriteLine($"clipping plot: {SamplePaths.Write("clipping plot", () => DelayPlots.Clipping(result, settings, options.OutputDirectory))}");
        Console.WriteLine($"delay plot: {SamplePaths.Write("delay plot", () => DelayPlots.Delays(result, options.OutputDirectory))}");
        Console.WriteLine($"delay: largest delay learned to >= 95 %: Elman T = {DelayRecall.LargestLearned(result.Elman)}, GRU T = {DelayRecall.LargestLearned(result.Gru)} "
            + $"(delays {string.Join(",", settings.Delays)}) in {result.Seconds:F1} s");
        return 0;
    }

    private static string Percent(float accuracy) => (accuracy * 100).ToString("F1", CultureInfo.InvariantCulture) + " %";

    private static string StepsTo(DelayCell c) => c.SolvedAtStep > 0 ? c.SolvedAtStep.ToString(CultureInfo.InvariantCulture) : $"not within {c.StepsRun}";
}
