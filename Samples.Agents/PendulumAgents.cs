using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Cortex.Learning;
using ScottPlot;

namespace Cortex.Samples.Agents;

/// <summary>
/// The SAC pendulum through the Agent API: a <see cref="PendulumAgent"/> in an <see cref="AgentGroup"/> made with
/// <see cref="AgentGroup.WithSac"/>, with per-episode statistics (return, length and a custom value: the steps spent
/// upright) that the learning curve plots.
/// </summary>
public static class PendulumAgents
{
    /// <summary>Pendulum-v1 as an agent: torque = 2 × action, episodes cut at 200 decisions (a time limit).</summary>
    private sealed class PendulumAgent : Agent
    {
        private readonly Pendulum _pendulum;
        private readonly int _upright;

        public PendulumAgent(ulong seed, int uprightIndex)
        {
            _pendulum = new Pendulum(seed);
            _upright = uprightIndex;
            MaxStep = Pendulum.MaxSteps;
        }

        protected override void OnEpisodeBegin() => _pendulum.Reset();

        protected override void CollectObservations(Span<float> observation) => _pendulum.Observe(observation);

        protected override void OnActionReceived(ReadOnlySpan<float> action)
        {
            AddReward(_pendulum.Step(Pendulum.MaxTorque * action[0], out _));
            if (Math.Cos(_pendulum.Theta) > 0.95) AddEpisodeValue(_upright, 1f);   // within ~18° of upright
        }
    }

    public static int Run(Options options, bool live)
    {
        var settings = new PendulumSacSettings { Seed = options.Seed, Threads = options.Threads };
        if (options.Steps is int steps) settings.MaxEnvironmentSteps = steps;
        using Brain actor = PendulumSac.CreateActor(settings);
        using Brain critic1 = PendulumSac.CreateCritic(settings, 1);
        using Brain critic2 = PendulumSac.CreateCritic(settings, 2);
        using AgentGroup group = AgentGroup.WithSac(actor, critic1, critic2, 1, settings.Sac, settings.Seed * 7 + 3);
        var statistics = new EpisodeStatistics(10_000, "upright steps");
        group.Statistics = statistics;
        group.Add(new PendulumAgent(settings.Seed * 1_000_003, statistics.IndexOf("upright steps")));
        Console.WriteLine($"pendulum: SAC in an AgentGroup, actor {actor.Spec}, seed {options.Seed}, at most {settings.MaxEnvironmentSteps} steps");
        var clock = Stopwatch.StartNew();
        long solvedAt = -1;
        long episodes = 0;
        var curve = new System.Collections.Generic.List<(long Step, float Return, double Average10, float Upright)>();
        group.EpisodeEnded += agent =>
        {
            episodes++;
            double average = statistics.MeanReturn(10);
            curve.Add((group.Steps, agent.LastEpisodeReward, average, agent.EpisodeValue(0)));
            if (solvedAt < 0 && statistics.Count >= 10 && average >= settings.SolvedReturn) solvedAt = group.Steps;
            if (!live || episodes % 5 == 0)
            {
                Console.WriteLine($"step {group.Steps,6}  episode {episodes,4}  return {agent.LastEpisodeReward,8:F1}  avg10 {average,8:F1}  upright {agent.EpisodeValue(0),3} of {agent.LastEpisodeLength}");
            }
        };
        while (group.Steps < settings.MaxEnvironmentSteps + 1 && solvedAt < 0) group.Step();
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"learning curve: {SamplePaths.Write("learning curve", () => Curve(curve, statistics, options.OutputDirectory, options.Seed))}");
        if (options.SavePath is not null) Console.WriteLine($"saved: {BrainFiles.Save(actor, options.SavePath, $"pendulum SAC (agents) policy seed {options.Seed}")}");
        double last10 = statistics.MeanReturn(10);
        Console.WriteLine(solvedAt >= 0
            ? $"pendulum: solved at step {solvedAt} (avg10 = {last10:F1}) in {seconds:F1} s"
            : $"pendulum: not solved after {group.Steps - 1} steps (avg10 = {last10:F1}) in {seconds:F1} s");
        return solvedAt >= 0 ? 0 : 1;
    }

    private static string Curve(System.Collections.Generic.List<(long Step, float Return, double Average10, float Upright)> curve, EpisodeStatistics statistics,
        string directory, ulong seed)
    {
        var plot = new Plot();
        if (curve.Count > 0)
        {
            double[] steps = curve.Select(p => (double)p.Step).ToArray();
            var returns = plot.Add.Scatter(steps, curve.Select(p => (double)p.Return).ToArray());
            returns.LineWidth = 0;
            returns.MarkerSize = 4;
            returns.Color = Colors.Gray.WithAlpha(0.6);
            returns.LegendText = "episode return (EpisodeStatistics)";
            var average = plot.Add.Scatter(steps, curve.Select(p => p.Average10).ToArray());
            average.MarkerSize = 0;
            average.LineWidth = 2;
            average.Color = Colors.Blue;
            average.LegendText = "mean return of the last 10 episodes";
            var upright = plot.Add.Scatter(steps, curve.Select(p => (double)p.Upright).ToArray());
            upright.MarkerSize = 4;
            upright.LineWidth = 1;
            upright.Color = Colors.OrangeRed;
            upright.Axes.YAxis = plot.Axes.Right;
            upright.LegendText = $"custom value '{statistics.ValueNames[0]}' per episode (right axis)";
            plot.Axes.Right.Label.Text = "upright steps per episode (of 200)";
        }
        var solved = plot.Add.HorizontalLine(-200);
        solved.LinePattern = LinePattern.Dashed;
        solved.Color = Colors.Green;
        solved.LegendText = "solved (−200)";
        plot.Title($"Pendulum-v1, SAC in an AgentGroup, seed {seed}");
        plot.XLabel("environment steps");
        plot.YLabel("return");
        plot.ShowLegend(Alignment.LowerRight);
        Directory.CreateDirectory(directory);
        string path = Path.GetFullPath(Path.Combine(directory, $"pendulum-sac-agents-seed{seed}.png"));
        plot.SavePng(path, 900, 560);
        return path;
    }
}
