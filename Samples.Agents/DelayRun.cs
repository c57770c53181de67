using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Cortex.Samples.Agents;

/// <summary>The <c>delay</c> command: runs <see cref="DelayRecall"/>, prints the delay table and writes the plots.</summary>
public static class DelayRun
{
    public static int Run(Options options)
    {
        var settings = new DelaySettings { Seed = options.Seed, Threads = options.Threads };
        if (options.Delays is int[] delays) settings.Delays = delays;
        if (options.Steps is int steps) settings.MaxTrainSteps = steps;
        if (options.LearningRate is float rate) settings.LearningRate = rate;
        if (options.Lead is int lead) settings.Lead = lead;
        SamplePaths.CheckOutputDirectory(options.OutputDirectory);
        Console.WriteLine($"delay: recall a marked bit after T steps of ±1 distractors, Elman RNN vs GRU ({settings.Hidden} units), {settings.Lead} distractor steps before the bit, loss on the last step, "
            + $"Adam {Text(settings.LearningRate)} clipped at {Text(settings.ClipNorm)}, batch {settings.Batch}, at most {settings.MaxTrainSteps} steps per delay, "
            + $"{settings.HeldOut} held-out sequences, seed {settings.Seed}");
        DelayResult result = DelayRecall.Run(settings, Console.WriteLine);

        Console.WriteLine();
        Console.WriteLine("| delay T | " + string.Join(" | ", result.Models.Select(m => m.Name)) + " |");
        Console.WriteLine("|---:|" + string.Concat(result.Models.Select(_ => "---:|")));
        for (int d = 0; d < settings.Delays.Length; d++)
        {
            Console.WriteLine($"| {settings.Delays[d]} | " + string.Join(" | ", result.Cells.Select(cells => Cell(cells[d]))) + " |");
        }
        Console.WriteLine();
        Console.WriteLine($"gradient plot: {SamplePaths.Write("gradient plot", () => DelayPlots.Gradients(result, options.OutputDirectory))}");
        Console.WriteLine($"clipping plot: {SamplePaths.Write("clipping plot", () => DelayPlots.Clipping(result, settings, options.OutputDirectory))}");
        Console.WriteLine($"delay plot: {SamplePaths.Write("delay plot", () => DelayPlots.Delays(result, options.OutputDirectory))}");
        IEnumerable<string> largest = result.Models.Select((m, i) => $"{m.Name} T = {DelayRecall.LargestLearned(result.Cells[i])}");
        Console.WriteLine($"delay: largest delay learned to >= 95 %: {string.Join(", ", largest)} (delays {string.Join(",", settings.Delays)}) in {Text(result.Seconds, "F1")} s");
        return 0;
    }

    // "100.0 % at 50": held-out accuracy and the step it reached 95 %; "52.1 %, not in 1500": the best accuracy of a failed run.
    private static string Cell(DelayCell c) =>
        c.SolvedAtStep > 0 ? $"{Text(c.Accuracy * 100, "F1")} % at {c.SolvedAtStep}" : $"{Text(c.Accuracy * 100, "F1")} %, not in {c.StepsRun}";

    private static string Text(double value, string format = "0.####") => value.ToString(format, CultureInfo.InvariantCulture);
}
