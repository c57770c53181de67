using System;

namespace Cortex.Samples.Agents;

/// <summary>
/// The standard CartPole-v1 task (Barto, Sutton and Anderson 1983, as the common benchmark defines it):
/// state (x, ẋ, θ, θ̇), actions 0 = push left, 1 = push right, +1 reward per step including the last,
/// termination at |θ| &gt; 12° or |x| &gt; 2.4, truncation at 500 steps; explicit Euler at τ = 0.02 s.
/// </summary>
public sealed class CartPole
{
    public const int ObservationSize = 4;
    public const int ActionCount = 2;
    public const int MaxSteps = 500;
    public const double StepSeconds = 0.02;
    private const float Gravity = 9.8f, CartMass = 1.0f, PoleMass = 0.1f, TotalMass = CartMass + PoleMass;
    private const float HalfLength = 0.5f, PoleMassLength = PoleMass * HalfLength, ForceMagnitude = 10.0f, Tau = 0.02f;
    private const float ThetaLimit = 12f * 2f * MathF.PI / 360f, XLimit = 2.4f;

    private readonly SeededRandom _random;
    private float _x, _xDot, _theta, _thetaDot;

    public CartPole(ulong seed)
    {
        _random = new SeededRandom(seed);
        Reset();
    }

    /// <summary>Steps taken in the current episode.</summary>
    public int Steps { get; private set; }

    /// <summary>Starts an episode: every state variable uniform in (−0.05, 0.05).</summary>
    public void Reset()
    {
        _x = _random.NextFloat(-0.05f, 0.05f);
        _xDot = _random.NextFloat(-0.05f, 0.05f);
        _theta = _random.NextFloat(-0.05f, 0.05f);
        _thetaDot = _random.NextFloat(-0.05f, 0.05f);
        Steps = 0;
    }

    public void Observe(Span<float> observation)
    {
        observation[0] = _x;
        observation[1] = _xDot;
        observation[2] = _theta;
        observation[3] = _thetaDot;
    }

    /// <summary>Applies an action; returns the reward and whether the episode terminated (fell) or was truncated (500 steps).</summary>
    public float Step(int action, out bool terminated, out bool truncated)
    {
        if ((uint)action > 1) throw new ArgumentOutOfRangeException(nameof(action), action, "CartPole actions are 0 (left) and 1 (right).");
        float force = action == 1 ? ForceMagnitude : -ForceMagnitude;
        float cos = MathF.Cos(_theta), sin = MathF.Sin(_theta);
        float temp = (force + PoleMassLength * _thetaDot * _thetaDot * sin) / TotalMass;
        float thetaAcc = (Gravity * sin - cos * temp) / (HalfLength * (4f / 3f - PoleMass * cos * cos / TotalMass));
        float xAcc = temp - PoleMassLength * thetaAcc * cos / TotalMass;
        _x += Tau * _xDot;
        _xDot += Tau * xAcc;
        _theta += Tau * _thetaDot;
        _thetaDot += Tau * thetaAcc;
        Steps++;
        terminated = _x < -XLimit || _x > XLimit || _theta < -ThetaLimit || _theta > ThetaLimit;
        truncated = !terminated && Steps >= MaxSteps;
        return 1f;
    }
}
