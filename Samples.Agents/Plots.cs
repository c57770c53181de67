using System.Collections.Generic;
using System.IO;
using System.Linq;
using ScottPlot;

namespace Cortex.Samples.Agents;

/// <summary>Learning curves and arena snapshots as PNG files (ScottPlot).</summary>
public static class Plots
{
    public static string CartPoleCurve(CartPoleResult result, string directory, ulong seed, string algorithm = "DQN")
    {
        var plot = new Plot();
        if (result.TrainingCurve.Count > 0)
        {
            double[] steps = result.TrainingCurve.Select(p => (double)p.Step).ToArray();
            var episodes = plot.Add.Scatter(steps, result.TrainingCurve.Select(p => (double)p.Return).ToArray());
            episodes.LineWidth = 0;
            episodes.MarkerSize = 3;
            episodes.Color = Colors.Gray.WithAlpha(0.5);
            episodes.LegendText = "training episode return (exploring)";
            var average = plot.Add.Scatter(steps, result.TrainingCurve.Select(p => (double)p.Average100).ToArray());
            average.MarkerSize = 0;
            average.LineWidth = 2;
            average.Color = Colors.Blue;
            average.LegendText = "training average of last 100 episodes";
        }
        if (result.Evaluations.Count > 0)
        {
            var evaluation = plot.Add.Scatter(result.Evaluations.Select(e => (double)e.Step).ToArray(), result.Evaluations.Select(e => (double)e.Average).ToArray());
            evaluation.LineWidth = 1;
            evaluation.MarkerSize = 7;
            evaluation.Color = Colors.OrangeRed;
            evaluation.LegendText = "greedy evaluation: average of 100 episodes";
        }
        var solved = plot.Add.HorizontalLine(475);
        solved.LinePattern = LinePattern.Dashed;
        solved.Color = Colors.Green;
        solved.LegendText = "solved (475)";
        plot.Title(result.Solved ? $"CartPole-v1, {algorithm}, seed {seed}: solved at step {result.SolvedAtStep}" : $"CartPole-v1, {algorithm}, seed {seed}: not solved");
        plot.XLabel("environment steps");
        plot.YLabel("return");
        plot.Axes.SetLimitsY(0, 520);
        plot.ShowLegend(Alignment.UpperLeft);
        return Save(plot, directory, algorithm == "DQN" ? $"cartpole-seed{seed}.png" : $"cartpole-{algorithm.ToLowerInvariant()}-seed{seed}.png");
    }

    /// <summary>Greedy evaluation curves of partially observed cart-pole runs, with memory (blue) and without (red), in one PNG.</summary>
    public static string CartPolePartialCurves(IReadOnlyList<(string Label, bool Memory, double[] Steps, double[] Averages)> runs, string directory)
    {
        var plot = new Plot();
        bool memoryLabelled = false, plainLabelled = false;
        foreach (var run in runs)
        {
            if (run.Steps.Length == 0) continue;
            var line = plot.Add.Scatter(run.Steps, run.Averages);
            line.MarkerSize = 3;
            line.LineWidth = 1.5f;
            line.Color = run.Memory ? Colors.Blue.WithAlpha(0.8) : Colors.OrangeRed.WithAlpha(0.8);
            if (run.Memory && !memoryLabelled) { line.LegendText = "recurrent PPO, GRU(64) (one line per seed)"; memoryLabelled = true; }
            if (!run.Memory && !plainLabelled) { line.LegendText = "same PPO without memory, Dense(64, 64)"; plainLabelled = true; }
        }
        var solved = plot.Add.HorizontalLine(475);
        solved.LinePattern = LinePattern.Dashed;
        solved.Color = Colors.Green;
        solved.LegendText = "solved (475)";
        plot.Title("CartPole-v1 observing only x and θ: greedy evaluation, average of 100 episodes");
        plot.XLabel("environment steps");
        plot.YLabel("return");
        plot.Axes.SetLimitsY(0, 520);
        plot.ShowLegend(Alignment.UpperRight);
        return Save(plot, directory, "cartpole-partial.png");
    }

    public static string SeekersCurve(SeekersResult result, string directory, ulong seed)
    {
        var plot = new Plot();
        double[] ticks = result.Curve.Select(p => (double)p.Tick).ToArray();
        var reward = plot.Add.Scatter(ticks, result.Curve.Select(p => (double)p.RewardPerAgentTick).ToArray());
        reward.LegendText = "reward per agent per tick";
        reward.Color = Colors.Blue;
        reward.MarkerSize = 4;
        var reached = plot.Add.Scatter(ticks, result.Curve.Select(p => (double)p.ReachedPerAgentPer1000Ticks).ToArray());
        reached.LegendText = "targets reached per agent per 1000 ticks (right axis)";
        reached.Color = Colors.OrangeRed;
        reached.MarkerSize = 4;
        reached.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "targets reached per agent per 1000 ticks";
        plot.Title($"Seekers: {result.Arena.Agents} agents sharing one brain, online DQN, seed {seed}");
        plot.XLabel("simulated ticks");
        plot.YLabel("reward per agent per tick");
        plot.ShowLegend(Alignment.LowerRight);
        return Save(plot, directory, $"seekers-curve-seed{seed}.png");
    }

    public static string SeekersArena(SeekerArena arena, string directory, ulong seed)
    {
        var plot = new Plot();
        var agents = plot.Add.Scatter(arena.X.Select(v => (double)v).ToArray(), arena.Y.Select(v => (double)v).ToArray());
        agents.LineWidth = 0;
        agents.MarkerSize = 4;
        agents.Color = Colors.Blue;
        agents.LegendText = "agents";
        var targets = plot.Add.Scatter(arena.TargetX.Select(v => (double)v).ToArray(), arena.TargetY.Select(v => (double)v).ToArray());
        targets.LineWidth = 0;
        targets.MarkerSize = 9;
        targets.MarkerShape = MarkerShape.FilledDiamond;
        targets.Color = Colors.OrangeRed;
        targets.LegendText = "targets";
        plot.Axes.SetLimits(0, SeekerArena.Size, 0, SeekerArena.Size);
        plot.Axes.SquareUnits();
        plot.Title("Seekers arena at the end of the run");
        plot.ShowLegend(Alignment.UpperRight);
        return Save(plot, directory, $"seekers-arena-seed{seed}.png");
    }

    private static string Save(Plot plot, string directory, string name)
    {
        Directory.CreateDirectory(directory);
        string path = Path.GetFullPath(Path.Combine(directory, name));
        plot.SavePng(path, 900, 560);
        return path;
    }
}
