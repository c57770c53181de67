using System;

namespace Cortex.Samples.Agents;

/// <summary>
/// The standard Pendulum-v1 swing-up task: state (θ, θ̇) with θ = 0 upright, observation
/// (cos θ, sin θ, θ̇), one torque in [−2, 2], reward −(norm(θ)² + 0.1·θ̇² + 0.001·u²), g = 10, m = l = 1,
/// dt = 0.05 s, |θ̇| ≤ 8, no termination, truncation after 200 steps.
/// </summary>
public sealed class Pendulum
{
    public const int ObservationSize = 3;
    public const int ActionSize = 1;
    public const int MaxSteps = 200;
    public const double StepSeconds = 0.05;
    public const float MaxTorque = 2f;
    private const double Gravity = 10.0, Mass = 1.0, Length = 1.0, MaxSpeed = 8.0;

    private readonly SeededRandom _random;
    private double _theta, _thetaDot;

    public Pendulum(ulong seed)
    {
        _random = new SeededRandom(seed);
        Reset();
    }

    /// <summary>Steps taken in the current episode.</summary>
    public int Steps { get; private set; }

    /// <summary>The angle (0 = upright), unwrapped.</summary>
    public double Theta => _theta;

    /// <summary>The angular velocity.</summary>
    public double ThetaDot => _thetaDot;

    /// <summary>Starts an episode: θ uniform in (−π, π), θ̇ uniform in (−1, 1).</summary>
    public void Reset()
    {
        _theta = (_random.NextDouble() * 2 - 1) * Math.PI;
        _thetaDot = _random.NextDouble() * 2 - 1;
        Steps = 0;
    }

    /// <summary>Sets the state (tests and scripted starts).</summary>
    public void SetState(double theta, double thetaDot)
    {
        _theta = theta;
        _thetaDot = thetaDot;
        Steps = 0;
    }

    public void Observe(Span<float> observation)
    {
        observation[0] = (float)Math.Cos(_theta);
        observation[1] = (float)Math.Sin(_theta);
        observation[2] = (float)_thetaDot;
    }

    /// <summary>θ wrapped into [−π, π).</summary>
    public static double Normalize(double theta)
    {
        double x = (theta + Math.PI) % (2 * Math.PI);
        if (x < 0) x += 2 * Math.PI;
        return x - Math.PI;
    }

    /// <summary>Applies a torque (clipped to [−2, 2]); returns the reward and whether the 200-step limit truncated the episode.</summary>
    public float Step(float torque, out bool truncated)
    {
        double u = Math.Max(-MaxTorque, Math.Min(MaxTorque, float.IsNaN(torque) ? 0f : torque));
        double angle = Normalize(_theta);
        double cost = angle * angle + 0.1 * _thetaDot * _thetaDot + 0.001 * u * u;
        double thetaDot = _thetaDot + (3 * Gravity / (2 * Length) * Math.Sin(_theta) + 3.0 / (Mass * Length * Length) * u) * StepSeconds;
        thetaDot = Math.Max(-MaxSpeed, Math.Min(MaxSpeed, thetaDot));
        _theta += thetaDot * StepSeconds;
        _thetaDot = thetaDot;
        Steps++;
        truncated = Steps >= MaxSteps;
        return (float)-cost;
    }
}
