using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Cortex.Samples.Agents;

/// <summary>The <c>delay</c> command's PNG files: gradient norms against the distance, clipping, accuracy against the delay.</summary>
public static class DelayPlots
{
    private static readonly Color[] Palette = { Colors.Blue, Colors.OrangeRed, Colors.Green, Colors.Purple };

    public static string Gradients(DelayResult result, string directory)
    {
        var plot = new Plot();
        for (int i = 0; i < result.Gradients.Count; i++)
        {
            GradientCurve curve = result.Gradients[i];
            double[] distance = Enumerable.Range(0, curve.Relative.Length).Select(d => (double)d).ToArray();
            var line = plot.Add.Scatter(distance, curve.Relative.Select(Log10).ToArray());
            line.LegendText = curve.Name;
            line.Color = Palette[i % Palette.Length];
            line.MarkerSize = 0;
            line.LineWidth = 2;
        }
        LogAxis(plot);
        plot.Title("‖dL/dh_t‖ against the distance from the loss (initial weights, loss on the last step)");
        plot.XLabel("distance from the loss (steps)");
        plot.YLabel("‖dL/dh_t‖ / ‖dL/dh_T‖ (log scale)");
        plot.ShowLegend(Alignment.UpperLeft);
        return Save(plot, directory, "memory-gradients.png");
    }

    public static string Clipping(DelayResult result, DelaySettings settings, string directory)
    {
        var plot = new Plot();
        for (int i = 0; i < result.Clipping.Count; i++)
        {
            ClipRun run = result.Clipping[i];
            double[] step = Enumerable.Range(1, run.Losses.Length).Select(d => (double)d).ToArray();
            var line = plot.Add.Scatter(step, run.GradientNorms.Select(v => Log10(v)).ToArray());
            line.LegendText = $"‖dL/dθ‖, {run.Name}";
            line.Color = Palette[i % Palette.Length];
            line.MarkerSize = 0;
            line.LineWidth = 1;
            var loss = plot.Add.Scatter(step, run.Losses.Select(v => Log10(v)).ToArray());
            loss.LegendText = $"loss, {run.Name}";
            loss.Color = Palette[i % Palette.Length];
            loss.LinePattern = LinePattern.Dashed;
            loss.MarkerSize = 0;
            loss.LineWidth = 2;
        }
        LogAxis(plot);
        plot.Title($"Elman RNN, recurrent scale {settings.LargeScale:0.##}, delay {settings.ClipDelay}, gradient descent {settings.ClipLearningRate:0.###}");
        plot.XLabel("training step");
        plot.YLabel("gradient norm and loss (log scale)");
        plot.ShowLegend(Alignment.UpperRight);
        return Save(plot, directory, "memory-clipping.png");
    }

    public static string Delays(DelayResult result, string directory)
    {
        var plot = new Plot();
        for (int m = 0; m < result.Models.Count; m++)
        {
            IReadOnlyList<DelayCell> cells = result.Cells[m];
            var line = plot.Add.Scatter(cells.Select(c => Math.Log2(c.Delay)).ToArray(), cells.Select(c => c.Accuracy * 100.0).ToArray());
            line.LegendText = result.Models[m].Name;
            line.Color = Palette[m % Palette.Length];
            line.MarkerSize = 8;
            line.LineWidth = 2;
            if (result.Models[m].Curriculum) line.LinePattern = LinePattern.Dashed;
        }
        var target = plot.Add.HorizontalLine(DelayRecall.Target * 100);
        target.LinePattern = LinePattern.Dotted;
        target.Color = Colors.Gray;
        target.LegendText = "95 %";
        var ticks = new NumericManual();
        foreach (DelayCell c in result.Cells[0]) ticks.AddMajor(Math.Log2(c.Delay), c.Delay.ToString(CultureInfo.InvariantCulture));
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimitsY(40, 102);
        plot.Title("Held-out accuracy of recalling a marked bit after T steps of ±1 distractors");
        plot.XLabel("delay T (steps, log scale)");
        plot.YLabel("best held-out accuracy (%)");
        plot.ShowLegend(Alignment.LowerLeft);
        return Save(plot, directory, "memory-delays.png");
    }

    private static double Log10(double v) => v > 0 && double.IsFinite(v) ? Math.Log10(v) : double.NaN;

    // The y values are log10s: decade ticks labelled 10^k, with log-spaced minor ticks.
    private static void LogAxis(Plot plot)
    {
        plot.Axes.Left.TickGenerator = new NumericAutomatic
        {
            MinorTickGenerator = new LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => $"1e{y:0}",
        };
    }

    private static string Save(Plot plot, string directory, string name)
    {
        System.IO.Directory.CreateDirectory(directory);
        string path = System.IO.Path.GetFullPath(System.IO.Path.Combine(directory, name));
        plot.SavePng(path, 900, 560);
        return path;
    }
}
